import hashlib
import itertools

import pytest

from santacare.core.time import now
from santacare.mailgate.models import InboundMail

_numbers = itertools.count(1)


@pytest.fixture
def inbound_mail():
    """A stored inbound mail row, as the gateway leaves it (state and outcome as given)."""

    def make(**fields) -> InboundMail:
        number = next(_numbers)
        raw = f"Message-ID: <{number}@test>\r\n\r\nbody".encode()
        values = {
            "raw": raw,
            "size": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "dedup_key": hashlib.sha256(raw).hexdigest(),
            "source": InboundMail.Source.SMTP,
            "received_at": now(),
        }
        return InboundMail.objects.create(**(values | fields))

    return make
