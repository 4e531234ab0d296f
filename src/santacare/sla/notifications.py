"""The SLA sweep: warnings before a breach, notices at a breach, each sent once; and the
measured results the reports read.

Sending once is the database's job: a notice row is unique per (ticket, clock, kind), and the
mail is queued in the same transaction as the row, so two sweeps running side by side cannot
both send, and a crash after the insert cannot lose the mail.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext

from santacare.accounts.models import User
from santacare.calendars.coverage import format_duration, format_moment
from santacare.outbox.services import queue_mail
from santacare.tickets.events import record_event
from santacare.tickets.models import Event, Ticket

from .clocks import Clock, ClockContext, ClockState, ticket_clocks
from .due_index import clear_done, store_due
from .models import ClockName, ClockResult, NoticeKind, SlaNotice
from .queries import with_history
from .results import record_results
from .signals import sla_notice

BATCH = 500


@dataclass
class SweepResult:
    warnings: int = 0
    breaches: int = 0
    results: int = 0


def sweep(*, now: datetime) -> SweepResult:
    """One pass: notices and the next-breach copy for open tickets, results for clocks that
    stopped since last time."""
    context = ClockContext.load()
    outcome = SweepResult()
    clear_done()
    open_tickets = Ticket.objects.filter(
        status__in=Ticket.OPEN_STATUSES, service_level__isnull=False
    ).select_related("customer__service_delivery_manager", "assignee")
    last_id = 0
    while True:  # keyset batches: bounded by the number of open tickets
        batch = list(with_history(open_tickets.filter(id__gt=last_id).order_by("id"))[:BATCH])
        if not batch:
            break
        for ticket in batch:
            clocks = ticket_clocks(ticket, now=now, context=context, explain=False)
            # The next-breach copy also follows edits no event announces (calendars, targets).
            store_due(ticket, clocks)
            due = {clock.name: kind for clock in clocks if (kind := _notice_due(clock, now=now))}
            if not due:
                continue
            # The mail explains the due time: only now is the explanation worth its cost.
            for clock in ticket_clocks(ticket, now=now, context=context):
                kind = due.get(clock.name)
                if kind and notify(ticket, clock, kind=kind):
                    if kind == NoticeKind.WARNING:
                        outcome.warnings += 1
                    else:
                        outcome.breaches += 1
        last_id = batch[-1].id
    for ticket in with_history(tickets_needing_results()[:BATCH]):
        outcome.results += record_results(ticket, now=now, context=context)
    return outcome


def _notice_due(clock: Clock, *, now: datetime) -> str | None:
    if clock.state in (ClockState.BREACHED, ClockState.MISSED):
        return NoticeKind.BREACH
    if clock.state == ClockState.RUNNING and clock.warning_at and clock.warning_at <= now:
        return NoticeKind.WARNING
    return None


def tickets_needing_results() -> QuerySet[Ticket]:
    """Tickets whose response or restore clock stopped at an instant no result records yet
    (new stops, and stops that moved because the history was corrected)."""

    def recorded(clock: str, field: str) -> Exists:
        return Exists(
            ClockResult.objects.filter(
                ticket=OuterRef("pk"), clock=clock, stopped_at=OuterRef(field)
            )
        )

    # The same stop instants as ticket_clocks: a ticket closed unanswered stops both clocks.
    return (
        Ticket.objects.filter(service_level__isnull=False)
        .annotate(
            response_stop=Coalesce("first_response_at", "resolved_at", "closed_at"),
            restore_stop=Coalesce("resolved_at", "closed_at"),
        )
        .filter(
            Q(response_stop__isnull=False) & ~recorded(ClockName.RESPONSE, "response_stop")
            | Q(restore_stop__isnull=False) & ~recorded(ClockName.RESTORE, "restore_stop")
        )
    )


def notice_recipients(ticket: Ticket, *, kind: str) -> list[str]:
    """The assignee and the team leads; for a breach also the customer's Service Delivery
    Manager (R15)."""
    people = list(User.objects.filter(role=User.Role.TEAM_LEAD, is_active=True))
    if ticket.assignee and ticket.assignee.is_active:
        people.insert(0, ticket.assignee)
    sdm = ticket.customer.service_delivery_manager
    if kind == NoticeKind.BREACH and sdm and sdm.is_active:
        people.append(sdm)
    seen: dict[str, None] = {}
    for person in people:
        seen.setdefault(person.email.lower(), None)
    return list(seen)


def notify(ticket: Ticket, clock: Clock, *, kind: str) -> bool:
    """Record and send one notice; False when it had already been sent."""
    recipients = notice_recipients(ticket, kind=kind)
    try:
        with transaction.atomic():
            notice = SlaNotice.objects.create(
                ticket=ticket, clock=clock.name, kind=kind, due=clock.due, recipients=recipients
            )
            record_event(
                ticket,
                Event.Kind.SLA_WARNING if kind == NoticeKind.WARNING else Event.Kind.SLA_BREACHED,
                by_label="SLA",
                clock=clock.name,
                due=clock.due.isoformat(),
            )
            if recipients:
                _queue(ticket, clock, kind=kind, recipients=recipients)
            sla_notice.send(sender=SlaNotice, notice=notice)
    except IntegrityError:
        return False
    return True


def _queue(ticket: Ticket, clock: Clock, *, kind: str, recipients: list[str]) -> None:
    # Imported here so the SLA engine loads even where the mail gateway is not installed.

    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "tracking": ticket.tracking_number,
            "clock": clock.label,
            "due": format_moment(clock.due),
            "left": format_duration(clock.remaining),
            "customer": ticket.customer.name,
            "subject": ticket.subject,
        }
        if kind == NoticeKind.WARNING:
            subject = gettext("SLA warning %(tracking)s: %(clock)s due %(due)s") % values
            first = gettext("%(clock)s is due %(due)s; %(left)s left.") % values
        else:
            subject = gettext("SLA breached %(tracking)s: %(clock)s was due %(due)s") % values
            first = gettext("%(clock)s was due %(due)s and has been missed.") % values
        body = "\n".join(
            [
                first,
                "",
                gettext("Ticket: %(tracking)s %(subject)s") % values,
                gettext("Customer: %(customer)s") % values,
                "",
                gettext("How the due time was reached:"),
                *(f"- {line}" for line in clock.explanation),
            ]
        )
    queue_mail(to=recipients, subject=subject, body=body, ticket=ticket, kind=f"sla_{kind}")
