"""The outbox: mail we owe is a row first (in the caller's transaction), sent after commit.

Delivery is at-least-once with a stable Message-ID: a huey task sends the row right after the
commit, and a periodic sweep sends whatever a lost task, a crash or a down SMTP server left
behind. Temporary SMTP failures (4xx, connection refused, timeouts) are retried with backoff;
permanent ones (5xx) mark the row failed, with the error shown to agents.
"""

import logging
import smtplib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F

from santacare.core.addresses import parse_addresses
from santacare.core.text import clean_line
from santacare.core.time import now as current_time
from santacare.tickets.models import Ticket

from . import faults
from .models import OutboundMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 15
# A claimed row is not claimed again for this long, so two workers do not send it at once; if
# the claimer dies, the row becomes due again after it (at-least-once).
CLAIM_LEASE = timedelta(minutes=5)
SMTP_TIMEOUT_SECONDS = 30
LOOP_HEADER = "X-SantaCare-Loop"


def auto_reply_daily_cap() -> int:
    return getattr(settings, "MAILGATE_AUTO_REPLY_DAILY_CAP", 40)


def message_id_domain() -> str:
    configured = getattr(settings, "MAILGATE_MESSAGE_ID_DOMAIN", "")
    return configured or settings.SUPPORT_EMAIL.rpartition("@")[2] or "santacare.invalid"


def instance_name() -> str:
    return getattr(settings, "MAILGATE_INSTANCE", "") or message_id_domain()


def make_message_id() -> str:
    return f"<sc.{uuid.uuid4().hex}@{message_id_domain()}>"


def is_own_message_id(message_id: str) -> bool:
    value = message_id.strip().lower()
    return value.startswith("<sc.") and value.endswith(f"@{message_id_domain().lower()}>")


class InvalidRecipientError(ValueError):
    pass


def _clean_recipients(to: Sequence[str]) -> list[str]:
    recipients = []
    for value in to:
        # A newline in an address would be an extra header (RT CVE-2012-4730): refuse, not fold.
        if any(char in value for char in "\r\n\0"):
            raise InvalidRecipientError(value)
        parsed = parse_addresses(value)
        if len(parsed) != 1:
            raise InvalidRecipientError(value)
        recipients.append(parsed[0][1])
    if not recipients:
        raise InvalidRecipientError("no recipients")
    return recipients


def automatic_mail_sent_today(recipient: str, *, at: datetime | None = None) -> int:
    moment = at or current_time()
    return OutboundMail.objects.filter(
        recipient=recipient.lower(),
        auto_submitted=True,
        created_at__gt=moment - timedelta(days=1),
    ).count()


def queue_mail(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    ticket: Ticket | None = None,
    in_reply_to: str = "",
    references: Sequence[str] = (),
    auto_submitted: bool = False,
    kind: str = "notification",
) -> OutboundMail:
    """Write an outbox row in the caller's transaction; it is sent after that commits.

    Automatic mail beyond the per-recipient daily cap (Znuny's PostmasterMaxEmails, default 40)
    is recorded as suppressed instead of sent: a mail loop with another robot ends there.
    """
    recipients = _clean_recipients(to)
    recipient = recipients[0].lower()
    state = OutboundMail.State.QUEUED
    last_error = ""
    if auto_submitted and automatic_mail_sent_today(recipient) >= auto_reply_daily_cap():
        state = OutboundMail.State.SUPPRESSED
        last_error = "daily cap of automatic mail to this recipient reached"
        logger.warning("Automatic mail to %s suppressed: daily cap reached", recipient)
    mail = OutboundMail.objects.create(
        to=recipients,
        recipient=recipient,
        subject=clean_line(subject, max_length=900),
        body=body,
        html_body=html_body,
        message_id=make_message_id(),
        in_reply_to=clean_line(in_reply_to, max_length=998),
        references=" ".join(clean_line(ref, max_length=998) for ref in references if ref),
        auto_submitted=auto_submitted,
        kind=kind,
        ticket=ticket,
        state=state,
        last_error=last_error,
        next_attempt_at=current_time(),
    )
    if state == OutboundMail.State.QUEUED:
        transaction.on_commit(lambda: _enqueue_send(mail.pk))
    return mail


def _enqueue_send(mail_id: int) -> None:
    from .tasks import send_outbound_mail_task

    try:
        send_outbound_mail_task(mail_id)
    except Exception:
        # The queue being down must not fail the request that owed the mail: the row is
        # durable and the periodic sweep sends it.
        logger.exception("Could not enqueue outbound mail %s; the sweep will send it", mail_id)


def build_email(mail: OutboundMail) -> EmailMultiAlternatives:
    headers = {"Message-ID": mail.message_id, LOOP_HEADER: instance_name()}
    if mail.in_reply_to:
        headers["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        headers["References"] = mail.references
    if mail.auto_submitted:
        # RFC 3834: robots must not answer this; Outlook honours X-Auto-Response-Suppress.
        is_reply = mail.kind in (OutboundMail.Kind.ACKNOWLEDGEMENT, OutboundMail.Kind.REFUSAL)
        headers["Auto-Submitted"] = "auto-replied" if is_reply else "auto-generated"
        headers["X-Auto-Response-Suppress"] = "DR, RN, NRN, OOF, AutoReply"
        headers["Precedence"] = "bulk"
    email = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(mail.to),
        headers=headers,
    )
    if mail.html_body:
        email.attach_alternative(mail.html_body, "text/html")
    return email


@dataclass(frozen=True)
class SendResult:
    state: str
    error: str = ""


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    # Disconnects, refused connections and timeouts are the SMTP server's trouble, not ours.
    return not isinstance(error, (smtplib.SMTPException, OSError))


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def send_outbound_mail(mail_id: int, *, now: datetime | None = None) -> SendResult | None:
    """Send one outbox row if it is due; None when it is not (sent, claimed or not yet due)."""
    moment = now or current_time()
    claimed = OutboundMail.objects.filter(
        pk=mail_id, state=OutboundMail.State.QUEUED, next_attempt_at__lte=moment
    ).update(next_attempt_at=moment + CLAIM_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    mail = OutboundMail.objects.get(pk=mail_id)
    try:
        email = build_email(mail)
        with get_connection(fail_silently=False, timeout=SMTP_TIMEOUT_SECONDS) as connection:
            connection.send_messages([email])
    except Exception as error:
        return _record_failure(mail, error, moment=moment)
    # The SMTP server has the message; a crash before the next line sends it again later.
    faults.point(faults.AFTER_SMTP_250)
    OutboundMail.objects.filter(pk=mail.pk).update(
        state=OutboundMail.State.SENT, sent_at=current_time(), last_error="", next_attempt_at=None
    )
    return SendResult(OutboundMail.State.SENT)


def _record_failure(mail: OutboundMail, error: Exception, *, moment: datetime) -> SendResult:
    text = f"{type(error).__name__}: {error}"[:2000]
    if _is_permanent(error) or mail.attempts >= MAX_ATTEMPTS:
        logger.error("Outbound mail %s failed for good: %s", mail.pk, text)
        OutboundMail.objects.filter(pk=mail.pk).update(
            state=OutboundMail.State.FAILED, last_error=text, next_attempt_at=None
        )
        return SendResult(OutboundMail.State.FAILED, text)
    logger.warning("Outbound mail %s: attempt %s failed: %s", mail.pk, mail.attempts, text)
    OutboundMail.objects.filter(pk=mail.pk).update(
        last_error=text, next_attempt_at=moment + retry_delay(mail.attempts)
    )
    return SendResult(OutboundMail.State.QUEUED, text)


def send_due_mail(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send queued mail that is due; the sweep's half of at-least-once. Returns how many sent."""
    moment = now or current_time()
    due = OutboundMail.objects.filter(
        state=OutboundMail.State.QUEUED, next_attempt_at__lte=moment
    ).values_list("pk", flat=True)[:limit]
    sent = 0
    for mail_id in list(due):
        result = send_outbound_mail(mail_id, now=moment)
        if result and result.state == OutboundMail.State.SENT:
            sent += 1
    return sent


def retry_failed_mail(mail: OutboundMail) -> None:
    """An agent's "send again" for a failed row: same Message-ID, fresh attempts."""
    OutboundMail.objects.filter(pk=mail.pk, state=OutboundMail.State.FAILED).update(
        state=OutboundMail.State.QUEUED, attempts=0, next_attempt_at=current_time()
    )
    transaction.on_commit(lambda: _enqueue_send(mail.pk))
