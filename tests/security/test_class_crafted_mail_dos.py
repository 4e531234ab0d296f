"""Class: denial of service by a crafted mail (seen in Request Tracker's decoder and address
parser, OTRS's filters, Dovecot's header parsing: one mail pegs a CPU or stalls the queue).

The class is covered in tests/mailgate/test_crafted_mail.py (caps before sanitising, a time
budget, attempts counted before the work, quarantine after three, sending on its own queue).
Here: that coverage is still there, and the worst mail we know (deep HTML, which made the
sanitiser quadratic) reaches an outcome within a time budget on this machine.
"""

import time

import pytest

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from tests.security.fixtures_classes import covered_by

BUDGET_SECONDS = 5.0


def test_crafted_mail_dos_class_is_covered_by_the_mailgate_tests():
    assert len(covered_by("mailgate/test_crafted_mail.py", prefix="test_crafted_mail_dos_")) >= 9


@pytest.mark.django_db
def test_r2_crafted_mail_dos_deep_html_reaches_an_outcome_within_the_budget(alice, alice_device):
    html = "<div>" * 200_000 + "Kytkin FOC2233X0AB ei käynnisty."
    raw = (
        "From: alice@alice.example\r\nTo: support@santacare.example\r\nSubject: Kytkin\r\n"
        "Message-ID: <deep@alice.example>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"{html}\r\n"
    ).encode()

    started = time.monotonic()
    outcome = receive_mail(raw, source=InboundMail.Source.SMTP)
    elapsed = time.monotonic() - started

    assert elapsed < BUDGET_SECONDS
    assert outcome.outcome == InboundMail.Outcome.CREATED
    mail = InboundMail.objects.get(pk=outcome.mail_id)
    assert "ei käynnisty" in mail.ticket.description
