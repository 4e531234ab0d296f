"""Mail in, first step: commit the raw bytes, once per message, before anything reads them."""

import hashlib
import logging
import re
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from santacare.core import faults
from santacare.core.time import now

from .headers import header_message_id
from .models import InboundMail

logger = logging.getLogger(__name__)

MAX_RAW_BYTES = 50 * 1024 * 1024


def _dedup_key(raw: bytes, message_id: str) -> str:
    if message_id:
        return hashlib.sha256(b"message-id:" + message_id.encode("utf-8", "replace")).hexdigest()
    return hashlib.sha256(b"raw:" + raw).hexdigest()


def _header_block(raw: bytes) -> str:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    head = raw[: end if end >= 0 else 64 * 1024][: 256 * 1024]
    return head.decode("utf-8", errors="replace")


def _raw_message_id(raw: bytes) -> str:
    # Enough of a parse to de-duplicate: the one Message-ID header, unfolded. A full parse
    # comes later, after the bytes are safe.
    matches = re.findall(
        r"^message-id:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)", _header_block(raw), re.I | re.M
    )
    return header_message_id(" ".join(matches[0].split())) if len(matches) == 1 else ""


def store_inbound_mail(
    raw: bytes,
    *,
    source: str,
    envelope_sender: str = "",
    envelope_recipients: Sequence[str] = (),
) -> tuple[InboundMail, bool]:
    """Commit the raw message; (mail, False) when the same mail was stored before."""
    faults.point(faults.AFTER_RECEIVE)
    raw = bytes(raw)
    message_id = _raw_message_id(raw)
    key = _dedup_key(raw, message_id)
    digest = hashlib.sha256(raw).hexdigest()
    # On shared object storage the bytes are written first, the row second: a row never names
    # a file that is not there. A duplicate's file is removed again.
    raw_file = ""
    if settings.MAILGATE_RAW_IN_STORAGE:
        name = f"raw-mail/{digest[:2]}/{uuid.uuid4().hex}.eml"
        raw_file = default_storage.save(name, ContentFile(raw))
    try:
        with transaction.atomic():
            mail = InboundMail.objects.create(
                raw=b"" if raw_file else raw,
                raw_file=raw_file,
                size=len(raw),
                sha256=digest,
                message_id=message_id,
                dedup_key=key,
                source=source,
                envelope_sender=(envelope_sender or "")[:998],
                envelope_recipients=[str(r)[:998] for r in envelope_recipients][:100],
                received_at=now(),
            )
    except IntegrityError:
        if raw_file:
            default_storage.delete(raw_file)
        # A second delivery (MTA retry, Bcc to two aliases, two workers at once): one mail.
        logger.info("Duplicate inbound mail %s", message_id or key)
        return InboundMail.objects.get(dedup_key=key), False
    faults.point(faults.AFTER_RAW_INSERT)
    return mail, True


def store_inbound_batch(
    raws: Sequence[bytes], *, source: str, envelope_recipients: Sequence[str] = ()
) -> list[tuple[InboundMail, bool]]:
    """Commit many raw messages in one INSERT: (mail, created) for each, in order. A message
    stored before, or twice in `raws`, is (the stored mail, False)."""
    faults.point(faults.AFTER_RECEIVE)
    if settings.MAILGATE_RAW_IN_STORAGE:
        # Each file is written before its row (see store_inbound_mail): one at a time.
        return [
            store_inbound_mail(raw, source=source, envelope_recipients=envelope_recipients)
            for raw in raws
        ]
    moment = now()
    rows: dict[str, InboundMail] = {}
    keys = []
    for raw in map(bytes, raws):
        message_id = _raw_message_id(raw)
        key = _dedup_key(raw, message_id)
        keys.append(key)
        rows.setdefault(
            key,
            InboundMail(
                raw=raw,
                size=len(raw),
                sha256=hashlib.sha256(raw).hexdigest(),
                message_id=message_id,
                dedup_key=key,
                source=source,
                envelope_recipients=[str(r)[:998] for r in envelope_recipients][:100],
                received_at=moment,
            ),
        )
    stored = {m.dedup_key: m for m in InboundMail.objects.defer("raw").filter(dedup_key__in=keys)}
    new = [mail for key, mail in rows.items() if key not in stored]
    try:
        with transaction.atomic():
            InboundMail.objects.bulk_create(new)
    except IntegrityError:
        # Another receiver stored one of them meanwhile: one at a time, each its own answer.
        return [
            store_inbound_mail(raw, source=source, envelope_recipients=envelope_recipients)
            for raw in raws
        ]
    faults.point(faults.AFTER_RAW_INSERT)
    result = []
    for key in keys:
        if key in stored:
            result.append((stored[key], False))
        else:
            stored[key] = rows[key]
            result.append((rows[key], True))
    return result
