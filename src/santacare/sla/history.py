"""What the clocks read from a ticket's event log: pauses, priority changes, and who last
resolved or closed the ticket."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from santacare.accounts.models import User
from santacare.tickets.models import Event, Ticket

# Waiting for the customer pauses the clocks. So does a resolved or closed spell: when the
# customer reopens the ticket, its restore clock goes on from where it stopped.
PAUSING_STATUSES = frozenset(
    {
        Ticket.Status.WAITING_ON_CUSTOMER,
        Ticket.Status.INFO_REQUESTED,
        Ticket.Status.RESOLVED,
        Ticket.Status.CLOSED,
    }
)
HISTORY_KINDS = (Event.Kind.STATUS_CHANGED, Event.Kind.PRIORITY_CHANGED)
# Where `queries.with_history` puts a ticket's HISTORY_KINDS events, oldest first.
CLOCK_EVENTS = "clock_events"


class ActorRow(NamedTuple):
    role: str


class EventRow(NamedTuple):
    """An event as the history reads it, loaded as a plain row (queries.clock_rows): the
    attributes of an `Event` that this module reads, and nothing else."""

    created_at: datetime
    pk: int
    kind: str
    data: dict[str, Any]
    actor: ActorRow | None


@dataclass(slots=True)
class TicketRow:
    """A ticket as the clocks and the next-breach copy read it, loaded as a plain row
    (queries.clock_rows): a sweep over every open ticket spent most of its time making model
    instances. The attributes are the `Ticket` fields of the same names."""

    id: int
    status: str
    priority: str
    service_level_id: int | None
    received_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    merged_into_id: int | None
    sla_due_at: datetime | None
    sla_warning_at: datetime | None
    clock_events: list[EventRow]  # CLOCK_EVENTS, oldest first

    @property
    def pk(self) -> int:
        return self.id

    @property
    def is_open(self) -> bool:
        return self.status in Ticket.OPEN_STATUSES


@dataclass(frozen=True)
class History:
    """What the clocks need from a ticket's events: pauses, priority changes, and whether the
    latest move to resolved or closed was the customer's (not an agent's)."""

    pauses: list[tuple[datetime, datetime]]
    open_pause_since: datetime | None
    priorities: list[tuple[datetime, str]]  # (since, priority), oldest first
    done_by_customer: bool = False

    def priority_at(self, moment: datetime) -> str:
        current = self.priorities[0][1]
        for since, priority in self.priorities:
            if since <= moment:
                current = priority
        return current

    def pauses_until(self, end: datetime) -> list[tuple[datetime, datetime]]:
        spans = list(self.pauses)
        if self.open_pause_since is not None:
            spans.append((self.open_pause_since, end))
        return [(a, min(b, end)) for a, b in spans if a < end]


def ticket_history(
    ticket: Ticket | TicketRow, *, events: Iterable[Event | EventRow] | None = None
) -> History:
    if events is None:
        events = getattr(ticket, CLOCK_EVENTS, None)
    if events is None:
        assert isinstance(ticket, Ticket)  # a row always carries its events
        events = ticket.events.all()
    ordered = sorted(
        (e for e in events if e.kind in HISTORY_KINDS), key=lambda e: (e.created_at, e.pk or 0)
    )
    statuses = [e for e in ordered if e.kind == Event.Kind.STATUS_CHANGED]
    changes = [e for e in ordered if e.kind == Event.Kind.PRIORITY_CHANGED]

    if statuses:
        status = statuses[0].data.get("old", ticket.status)
    else:
        # No recorded change (imported or hand-made rows): only the current status is known,
        # and a done one says nothing about when; resolved_at/closed_at stop the clocks.
        done = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
        status = Ticket.Status.IN_PROGRESS if ticket.status in done else ticket.status
    since = ticket.received_at
    pauses = []
    done_by_customer = False
    for event in statuses:
        at = max(event.created_at, ticket.received_at)
        if status in PAUSING_STATUSES and at > since:
            pauses.append((since, at))
        new = event.data.get("new", status)
        # Only the move into done sets resolved_at, where the clocks stop; closing what is
        # already resolved moves nothing.
        if status in Ticket.OPEN_STATUSES and new not in Ticket.OPEN_STATUSES:
            done_by_customer = not _by_agent(event)
        status, since = new, at
    open_since = since if status in PAUSING_STATUSES else None

    first = changes[0].data.get("old", ticket.priority) if changes else ticket.priority
    priorities = [(ticket.received_at, first)]
    priorities += [(e.created_at, e.data.get("new", first)) for e in changes]
    return History(pauses, open_since, priorities, done_by_customer)


def _by_agent(event: Event | EventRow) -> bool:
    # The role, not is_agent: an agent who has since left still closed it as an agent. A contact
    # acting in the portal or by mail is recorded by label only, with no user.
    return event.actor is not None and event.actor.role != User.Role.CUSTOMER
