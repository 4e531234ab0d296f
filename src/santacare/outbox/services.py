"""The outbox: mail we owe is a row first (in the caller's transaction), sent after commit.

Every app that mails anybody (tickets, SLA notices, RMA reminders, access requests, the mail
gateway's refusals) calls `queue_mail`; nothing sends from inside a web request. Delivery is
at-least-once with a stable Message-ID: a huey task sends the row right after the commit, and a
periodic sweep sends whatever a lost task, a crash or a down SMTP server left behind
(`sending.py`).
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction

from santacare.core.addresses import parse_addresses
from santacare.core.text import clean_line
from santacare.core.time import now as current_time

from .identity import make_message_id
from .models import OutboundMail
from .tasks import send_outbound_mail_task

logger = logging.getLogger(__name__)


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


def daily_cap_reached(recipient: str, *, at: datetime | None = None) -> bool:
    """Has `recipient` had MAILGATE_AUTO_REPLY_DAILY_CAP automatic mails in the last day?

    Asks whether the cap-th row exists rather than counting them all: the index on (recipient,
    created_at) is read for at most cap rows, however much mail the address got (issue 12: a
    busy contact's count grew with every acknowledgement)."""
    cap = settings.MAILGATE_AUTO_REPLY_DAILY_CAP
    if cap <= 0:
        return True
    moment = at or current_time()
    return (
        OutboundMail.objects.filter(
            recipient=recipient.lower(),
            auto_submitted=True,
            created_at__gt=moment - timedelta(days=1),
        )
        .order_by()[cap - 1 : cap]
        .exists()
    )


def queue_mail(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    # Any ticket row; typed loosely because the outbox sits below the tickets app.
    ticket: models.Model | None = None,
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
    if auto_submitted and daily_cap_reached(recipient):
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
        ticket_id=ticket.pk if ticket is not None else None,
        state=state,
        last_error=last_error,
        next_attempt_at=current_time(),
    )
    if state == OutboundMail.State.QUEUED:
        transaction.on_commit(lambda: _enqueue_send(mail.pk))
    return mail


def _enqueue_send(mail_id: int) -> None:
    try:
        send_outbound_mail_task(mail_id)
    except Exception:
        # The queue being down must not fail the request that owed the mail: the row is
        # durable and the periodic sweep sends it.
        logger.exception("Could not enqueue outbound mail %s; the sweep will send it", mail_id)


def retry_failed_mail(mail: OutboundMail) -> None:
    """An agent's "send again" for a failed row: same Message-ID, fresh attempts."""
    OutboundMail.objects.filter(pk=mail.pk, state=OutboundMail.State.FAILED).update(
        state=OutboundMail.State.QUEUED, attempts=0, next_attempt_at=current_time()
    )
    transaction.on_commit(lambda: _enqueue_send(mail.pk))
