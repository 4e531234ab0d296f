"""The outbox: mail we owe is a row first (in the caller's transaction), sent after commit.

Every app that mails anybody (tickets, SLA notices, RMA reminders, access requests, the mail
gateway's refusals) calls `queue_mail`; nothing sends from inside a web request. Delivery is
at-least-once with a stable Message-ID: a huey task sends the row right after the commit, and a
periodic sweep sends whatever a lost task, a crash or a down SMTP server left behind
(`sending.py`).
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count

from santacare.core.addresses import parse_addresses
from santacare.core.after_commit import AfterCommit
from santacare.core.batch_scope import in_batch_scope, per_batch
from santacare.core.text import clean_line
from santacare.core.time import now as current_time

from .identity import make_message_id
from .models import OutboundMail
from .tasks import send_outbound_mail_task, send_outbound_mails_task

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


def _sent_today(moment: datetime) -> "models.QuerySet[OutboundMail]":
    return OutboundMail.objects.filter(
        auto_submitted=True, created_at__gt=moment - timedelta(days=1)
    )


def daily_cap_reached(recipient: str, *, at: datetime | None = None) -> bool:
    """Has `recipient` had MAILGATE_AUTO_REPLY_DAILY_CAP automatic mails in the last day?

    In a batch scope, from the counts `expect_automatic_mail` read for the batch. Otherwise it
    asks whether the cap-th row exists rather than counting them all: the index on (recipient,
    created_at) is read for at most cap rows, however much mail the address got (issue 12: a
    busy contact's count grew with every acknowledgement)."""
    cap = settings.MAILGATE_AUTO_REPLY_DAILY_CAP
    if cap <= 0:
        return True
    counts = _batch_counts()
    if at is None and recipient.lower() in counts:
        return bool(counts[recipient.lower()] >= cap)
    moment = at or current_time()
    return (
        _sent_today(moment).filter(recipient=recipient.lower()).order_by()[cap - 1 : cap].exists()
    )


def expect_automatic_mail(recipients: Iterable[str]) -> None:
    """A batch (in a batch scope) about to answer these addresses: their counts for the daily
    cap are read in one statement, and queue_mail keeps them up to date for the batch. A
    concurrent writer's mail may go uncounted for that moment; the cap is a loop brake."""
    if not in_batch_scope():
        return
    counts = _batch_counts()
    wanted = {address.strip().lower() for address in recipients if address} - counts.keys()
    if not wanted:
        return
    counts.update(dict.fromkeys(wanted, 0))
    sent = _sent_today(current_time()).filter(recipient__in=wanted)
    counts.update(sent.values_list("recipient").annotate(count=Count("pk")))


def _batch_counts() -> dict[str, int]:
    # Outside a batch scope a fresh, empty dict: every count is asked of the database.
    return per_batch("outbox.automatic_mail_today", dict)


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
    counts = _batch_counts()
    if auto_submitted and recipient in counts:
        counts[recipient] += 1
    if state == OutboundMail.State.QUEUED:
        _send_after_commit(mail.pk)
    return mail


def _send_after_commit(mail_id: int) -> None:
    """Hand the row to the job queue once its transaction commits; a transaction that owes
    many mails (a batch of inbound mail) enqueues one task for all of them, not one each."""
    _after_commit.note(mail_id)


def _enqueue(mail_ids: list[Any]) -> None:
    try:
        if len(mail_ids) == 1:
            send_outbound_mail_task(mail_ids[0])
        else:
            send_outbound_mails_task(mail_ids)
    except Exception:
        # The queue being down must not fail the request that owed the mail: the row is
        # durable and the periodic sweep sends it.
        logger.exception("Could not enqueue outbound mail %s; the sweep will send it", mail_ids)


# The id of a rolled-back row is merely sent for nothing (send_outbound_mail finds no row).
_after_commit = AfterCommit("outbox", _enqueue)


def retry_failed_mail(mail: OutboundMail) -> None:
    """An agent's "send again" for a failed row: same Message-ID, fresh attempts."""
    OutboundMail.objects.filter(pk=mail.pk, state=OutboundMail.State.FAILED).update(
        state=OutboundMail.State.QUEUED, attempts=0, next_attempt_at=current_time()
    )
    _send_after_commit(mail.pk)
