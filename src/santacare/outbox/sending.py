"""Sending outbox rows: claim, send, record. Temporary SMTP failures (4xx, refused connections,
timeouts) are retried with backoff; permanent ones (5xx) mark the row failed, with the error
shown to agents."""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F

from santacare.core import faults
from santacare.core.time import now as current_time

from .identity import LOOP_HEADER, loop_header_value
from .models import OutboundMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 15
# A claimed row is not claimed again for this long, so two workers do not send it at once; if
# the claimer dies, the row becomes due again after it (at-least-once).
CLAIM_LEASE = timedelta(minutes=5)
SMTP_TIMEOUT_SECONDS = 30


def build_email(mail: OutboundMail) -> EmailMultiAlternatives:
    headers = {"Message-ID": mail.message_id, LOOP_HEADER: loop_header_value()}
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
