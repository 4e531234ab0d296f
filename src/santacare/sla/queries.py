"""What the desk asks of the clocks: which open tickets run out of time first."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet

from santacare.tickets.models import Event, Ticket

from .clocks import Clock, ClockContext, ticket_clocks
from .history import CLOCK_EVENTS, HISTORY_KINDS, ActorRow, EventRow, TicketRow

# Bounds one call: the desk shows a page, the sweep walks in batches.
MAX_OPEN_TICKETS = 5000


@dataclass(frozen=True)
class TicketAtRisk:
    ticket: Ticket
    clock: Clock  # the open clock with the least time left
    clocks: list[Clock]

    @property
    def remaining(self) -> timedelta:
        return self.clock.remaining


def with_history(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Load what the clocks read in two queries, however many tickets there are."""
    # The actor tells a customer's close from an agent's (clocks.ticket_clocks).
    # Only what the history reads: a sweep loads thousands of these, and each column is parsed.
    events = (
        Event.objects.filter(kind__in=HISTORY_KINDS)
        .select_related("actor")
        .only("id", "ticket_id", "kind", "data", "created_at", "actor__id", "actor__role")
        .order_by("created_at", "id")
    )
    # A plain list (to_attr): the related manager would clone a queryset per ticket to read it.
    return queryset.select_related("service_level").prefetch_related(
        Prefetch("events", queryset=events, to_attr=CLOCK_EVENTS)
    )


# TicketRow's fields before its events, in order.
ROW_FIELDS = (
    "id",
    "status",
    "priority",
    "service_level_id",
    "received_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "merged_into_id",
    "sla_due_at",
    "sla_warning_at",
)


def clock_rows(queryset: QuerySet[Ticket]) -> list[TicketRow]:
    """`with_history` as plain rows, in two queries: what the clocks read and nothing else,
    for sweeps and copies that compute many tickets and show none of them."""
    tickets = [
        TicketRow(*values, clock_events=[])  # type: ignore[misc]
        for values in queryset.values_list(*ROW_FIELDS)
    ]
    by_id = {ticket.id: ticket for ticket in tickets}
    if not by_id:
        return tickets
    events = (
        Event.objects.filter(ticket_id__in=list(by_id), kind__in=HISTORY_KINDS)
        .order_by("created_at", "id")
        .values_list("ticket_id", "created_at", "id", "kind", "data", "actor__role")
    )
    actors: dict[str, ActorRow] = {}
    for ticket_id, created_at, pk, kind, data, role in events:
        actor = None if role is None else actors.setdefault(role, ActorRow(role))
        by_id[ticket_id].clock_events.append(EventRow(created_at, pk, kind, data, actor))
    return tickets


def tickets_at_risk(
    *,
    now: datetime,
    queryset: QuerySet[Ticket] | None = None,
    within: timedelta | None = None,
    limit: int = 50,
) -> list[TicketAtRisk]:
    """Open tickets sorted by the time left on their most urgent clock (breached first).

    The due time depends on the calendar, the pauses and the priority history, which SQL cannot
    walk, so this computes in Python — over open tickets only (at most MAX_OPEN_TICKETS), with
    their history fetched in two queries. `within` keeps only tickets with less time left.
    """
    queryset = queryset if queryset is not None else Ticket.objects.all()
    open_tickets = with_history(
        queryset.filter(status__in=Ticket.OPEN_STATUSES, service_level__isnull=False)
    )[:MAX_OPEN_TICKETS]
    context = ClockContext.load()
    found = []
    for ticket in open_tickets:
        clocks = ticket_clocks(ticket, now=now, context=context, explain=False)
        running = [clock for clock in clocks if clock.is_open]
        if not running:
            continue
        urgent = min(running, key=lambda clock: clock.remaining)
        if within is None or urgent.remaining <= within:
            found.append(TicketAtRisk(ticket, urgent, clocks))
    found.sort(key=lambda risk: (risk.remaining, risk.ticket.received_at))
    return found[:limit]
