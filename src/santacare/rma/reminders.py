"""Return reminders (R13, R15): to the customer's technical contacts before and after the return
due date, and to the Service Delivery Manager when a return is overdue.

Each reminder is sent once per RMA, kind and recipient: a `ReturnReminder` row with a unique
constraint is written in the same transaction as the outbox row, so a sweep that runs twice, or
two sweeps at once, send nothing twice. The mail is automatic (Auto-Submitted), so the outbox's
per-recipient daily cap applies, and one run sends at most `limit` mails; the rest wait for the
next run.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from santacare.core.time import helsinki
from santacare.outbox.services import queue_mail

from .mail import render_mail, technical_contacts
from .models import ReturnReminder, Rma

REMIND_DAYS_BEFORE = 3
MAX_REMINDERS_PER_RUN = 200


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


@dataclass(frozen=True)
class ReminderRun:
    sent: int
    deferred: bool  # the per-run limit was reached; the next run continues


def _kinds_due(rma: Rma, *, today: date) -> list[str]:
    if rma.return_due is None:
        return []
    if today > rma.return_due:
        return [ReturnReminder.Kind.OVERDUE, ReturnReminder.Kind.OVERDUE_SDM]
    if today >= rma.return_due - timedelta(days=REMIND_DAYS_BEFORE):
        return [ReturnReminder.Kind.BEFORE_DUE]
    return []


def _recipients(rma: Rma, kind: str) -> list[Recipient]:
    if kind == ReturnReminder.Kind.OVERDUE_SDM:
        manager = rma.ticket.customer.service_delivery_manager
        if manager is None or not manager.is_active:
            return []
        return [Recipient(manager.email, (manager.language or "fi")[:2])]
    return [
        Recipient(contact.email, contact.language) for contact in technical_contacts(rma.ticket)
    ]


def send_return_reminders(
    *, now: datetime, limit: int = MAX_REMINDERS_PER_RUN, days_before: int = REMIND_DAYS_BEFORE
) -> ReminderRun:
    today = helsinki(now).date()
    horizon = today + timedelta(days=days_before)
    candidates = (
        Rma.objects.filter(status__in=Rma.AWAITING_RETURN, return_due__lte=horizon)
        .order_by("return_due", "id")
        .values_list("pk", flat=True)
    )
    sent = 0
    for rma_id in list(candidates):
        count, complete = _remind(rma_id, today=today, now=now, budget=limit - sent)
        sent += count
        if not complete:
            return ReminderRun(sent, deferred=True)
    return ReminderRun(sent, deferred=False)


@transaction.atomic
def _remind(rma_id: int, *, today: date, now: datetime, budget: int) -> tuple[int, bool]:
    """Send what this RMA is owed, at most `budget` mails; (sent, whether all were sent)."""
    # The row lock makes a second sweep wait here, then find the reminders already recorded.
    rma = (
        Rma.objects.select_for_update(of=("self",))
        .select_related("ticket__customer__service_delivery_manager", "vendor")
        .get(pk=rma_id)
    )
    if not rma.awaits_return:
        return 0, True
    done = set(rma.reminders.values_list("kind", "recipient"))
    sent = 0
    for kind in _kinds_due(rma, today=today):
        for recipient in _recipients(rma, kind):
            if (kind, recipient.email) in done:
                continue
            if sent >= budget:
                return sent, False
            subject, body = render_mail(
                kind, language=recipient.language, context={"rma": rma, "ticket": rma.ticket}
            )
            mail = queue_mail(
                to=[recipient.email],
                subject=subject,
                body=body,
                ticket=rma.ticket,
                kind=f"rma_{kind}",
                auto_submitted=True,
            )
            ReturnReminder.objects.create(
                rma=rma,
                kind=kind,
                recipient=recipient.email,
                language=recipient.language,
                sent_at=now,
                outbound_mail=mail,
            )
            sent += 1
    return sent, True
