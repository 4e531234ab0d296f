"""The SMTP listener (aiosmtpd): store first, answer 250 only once the bytes are committed.

A database that cannot store the mail gets "451 try again later", so the sending MTA keeps it
and retries; nothing is dropped. Processing happens after the 250, in the worker.
"""

import logging
from email.utils import parseaddr
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from santacare.core.time import now

from .models import InboundMail
from .store import MAX_RAW_BYTES, store_inbound_mail
from .tasks import process_inbound_mail_task

logger = logging.getLogger(__name__)


def accept_mail(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
    """Store one mail and return the SMTP reply; the plain function the handler runs."""
    close_old_connections()
    try:
        mail, created = store_inbound_mail(
            raw,
            source=InboundMail.Source.SMTP,
            envelope_sender=mail_from,
            envelope_recipients=rcpt_tos,
        )
    except Exception:
        logger.exception("Could not store inbound mail")
        return "451 4.3.0 Temporary failure, try again later"
    finally:
        close_old_connections()
    if created or mail.state == InboundMail.State.RECEIVED:
        _enqueue_processing(mail.pk)
    return f"250 2.0.0 OK: stored as {mail.pk}"


def _enqueue_processing(mail_id: int) -> None:
    try:
        process_inbound_mail_task(mail_id)
    except Exception:
        # Stored is what matters; the sweep processes what the queue did not take.
        logger.exception("Could not enqueue inbound mail %s; the sweep will process it", mail_id)
    finally:
        close_old_connections()


def _received_bytes(envelope: Envelope) -> bytes:
    # aiosmtpd fills original_content before handle_DATA; `content` is the same bytes, or a
    # decoded str when the server decodes (ours does not), so it adds nothing.
    return envelope.original_content or b""


class InboundHandler:
    async def handle_DATA(  # noqa: N802 - aiosmtpd API
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        return await sync_to_async(accept_mail, thread_sensitive=False)(
            _received_bytes(envelope), envelope.mail_from or "", list(envelope.rcpt_tos)
        )


class FileSinkHandler:
    """Development only: the mail the desk sends, saved as .eml files instead of delivered."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(  # noqa: N802 - aiosmtpd API
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        recipient = parseaddr(envelope.rcpt_tos[0] if envelope.rcpt_tos else "")[1] or "unknown"
        name = f"{now():%Y%m%dT%H%M%S%f}-{recipient.replace('/', '_')}.eml"
        path = self.directory / name
        path.write_bytes(_received_bytes(envelope))
        logger.warning("Sent mail to %s saved as %s", recipient, path)
        return "250 2.0.0 OK: saved"


def make_controller(handler: object, *, host: str, port: int) -> Controller:
    return Controller(handler, hostname=host, port=port, data_size_limit=MAX_RAW_BYTES)
