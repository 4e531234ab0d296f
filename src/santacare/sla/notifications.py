"""The SLA sweep: warnings before a breach, notices at a breach, each sent once; and the
measured results the reports read.

Sending once is the database's job: a notice row is unique per (ticket, clock, kind), and the
mail is queued in the same transaction as the row, so two sweeps running side by side cannot
both send, and a crash after the insert cannot lose the mail.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext

from santacare.accounts.models import User
from santacare.calendars.coverage import format_duration, format_moment
from santacare.calendars.models import Coverage
from santacare.outbox.services import queue_mail
from santacare.tickets.events import record_event
from santacare.tickets.models import Event, Ticket

from .clocks import Clock, ClockContext, ClockState, ticket_clocks
from .due_index import clear_done, store_due
from .history import TicketRow
from .models import ClockName, ClockResult, NoticeKind, SlaNotice
from .queries import clock_rows, with_history
from .results import record_results
from .signals import sla_notice

BATCH = 500
# Open tickets whose next-breach copy each sweep recomputes in turn, whether due or not: a
# ticket's copy also follows what no event announces (an admin editing a ticket's service level),
# within open tickets / REFRESH_SLICE minutes.
REFRESH_SLICE = 4 * BATCH
# Cache keys: what the targets and calendars were at the last full pass, and the rolling cursor.
RULES_KEY = "sla.sweep.rules"
CURSOR_KEY = "sla.sweep.refreshed_up_to"


@dataclass
class SweepResult:
    warnings: int = 0
    breaches: int = 0
    results: int = 0
    checked: int = 0  # open tickets whose clocks this sweep computed


def sweep(*, now: datetime) -> SweepResult:
    """One pass: notices and the next-breach copy for open tickets, results for clocks that
    stopped since last time.

    Only the tickets that can need something are computed: those whose indexed copy says a
    warning or breach is reached, those with a stop not yet recorded, and a rolling slice of
    the rest; every open ticket when the targets or calendars changed (or on the first sweep,
    or when the cache forgot). The copy is right between sweeps because every event that moves
    a clock refreshes it (due_index.event_saved)."""
    context = ClockContext.load()
    outcome = SweepResult()
    clear_done()
    open_tickets = Ticket.objects.filter(
        status__in=Ticket.OPEN_STATUSES, service_level__isnull=False
    )
    stopped = list(tickets_needing_results().values_list("pk", flat=True)[:BATCH])
    rules = _rules(context)
    full = cache.get(RULES_KEY) != rules
    if full:
        chosen = open_tickets
    else:
        chosen = open_tickets.filter(
            Q(sla_warning_at__lte=now) & ~_all_told() & ~_told_until(now)
            | Q(pk__in=stopped)
            | Q(pk__in=_rolling_slice(open_tickets))
        )
    last_id = 0
    while True:  # keyset batches: bounded by the number of open tickets
        batch = clock_rows(chosen.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            break
        _check(batch, now=now, context=context, outcome=outcome)
        last_id = batch[-1].id
    if full:
        cache.set(RULES_KEY, rules, timeout=None)
    # The device too: a result records the device's site.
    for ticket in with_history(Ticket.objects.filter(pk__in=stopped).select_related("device")):
        outcome.results += record_results(ticket, now=now, context=context)
    return outcome


def _all_told() -> Q:
    """Tickets with nothing left to send: each clock stopped (a late stop is found by its
    unrecorded result instead) or its breach already told. Without this a ticket long past its
    due time would be computed every minute until it is closed. (A warning after a breach notice,
    possible only if a corrected history made the clock run again, waits for the rolling slice.)"""

    def told(clock: str) -> Exists:
        return Exists(
            SlaNotice.objects.filter(ticket=OuterRef("pk"), clock=clock, kind=NoticeKind.BREACH)
        )

    done = Q(resolved_at__isnull=False) | Q(closed_at__isnull=False)
    return (Q(first_response_at__isnull=False) | done | told(ClockName.RESPONSE)) & (
        done | told(ClockName.RESTORE)
    )


def _told_until(now: datetime) -> Q:
    """Tickets warned of all they can be warned of, whose due time is still ahead: nothing to
    tell until then (the index brings them back when a breach is due)."""

    def warned(clock: str) -> Exists:
        return Exists(
            SlaNotice.objects.filter(ticket=OuterRef("pk"), clock=clock, kind=NoticeKind.WARNING)
        )

    done = Q(resolved_at__isnull=False) | Q(closed_at__isnull=False)
    return (
        Q(sla_due_at__gt=now)
        & (Q(first_response_at__isnull=False) | done | warned(ClockName.RESPONSE))
        & (done | warned(ClockName.RESTORE))
    )


def _check(
    batch: list[TicketRow], *, now: datetime, context: ClockContext, outcome: SweepResult
) -> None:
    # By the batch's range of ids (the unique constraint's index), not a list of 500 of them:
    # notices of tickets in the range but not in the batch are merely never looked up.
    sent = set(
        SlaNotice.objects.filter(
            ticket_id__gte=batch[0].id, ticket_id__lte=batch[-1].id
        ).values_list("ticket_id", "clock", "kind")
    )
    computed = []
    to_tell: dict[int, dict[str, str]] = {}
    for ticket in batch:
        clocks = ticket_clocks(ticket, now=now, context=context, explain=False)
        computed.append((ticket, clocks))
        due = {
            clock.name: kind
            for clock in clocks
            if (kind := _notice_due(clock, now=now)) and (ticket.id, clock.name, kind) not in sent
        }
        if due:
            to_tell[ticket.id] = due
    outcome.checked += len(batch)
    store_due(computed)
    if not to_tell:
        return
    # Only a ticket with something to tell is loaded whole, with who is told (customer, SDM,
    # assignee). The mail explains the due time: only now is that worth its cost.
    for whole in with_history(Ticket.objects.filter(pk__in=to_tell).order_by("id")):
        due = to_tell[whole.pk]
        for clock in ticket_clocks(whole, now=now, context=context):
            kind = due.get(clock.name)
            if kind and notify(whole, clock, kind=kind):
                if kind == NoticeKind.WARNING:
                    outcome.warnings += 1
                else:
                    outcome.breaches += 1


def _rolling_slice(open_tickets: QuerySet[Ticket]) -> list[int]:
    """The next REFRESH_SLICE open tickets after the last slice, from the first again at the end."""
    if REFRESH_SLICE <= 0:
        return []
    after = cache.get(CURSOR_KEY) or 0
    ids = list(
        open_tickets.filter(id__gt=after)
        .order_by("id")
        .values_list("pk", flat=True)[:REFRESH_SLICE]
    )
    cache.set(CURSOR_KEY, ids[-1] if len(ids) == REFRESH_SLICE else 0, timeout=None)
    return ids


def _rules(context: ClockContext) -> str:
    """A digest of everything the clocks read besides the ticket: targets, the levels' coverage
    and the calendars' exceptions (the context loads them anyway)."""
    targets = sorted(
        (key, t.response_minutes, t.restore_minutes, t.warning_percent)
        for key, t in context.targets.items()
    )
    coverage = sorted((pk, level.coverage) for pk, level in context.levels.items())
    exceptions = [
        sorted((day, e.is_open) for day, e in context.calendar(kind).exceptions.items())
        for kind in Coverage.values
    ]
    return hashlib.sha256(repr((targets, coverage, exceptions)).encode()).hexdigest()


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
