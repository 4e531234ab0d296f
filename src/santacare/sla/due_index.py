"""The next-breach index: the one writer of `Ticket.sla_due_at` and `Ticket.sla_warning_at`.

The clocks stay derived from history (clocks.py); these two columns are a copy the desk can
sort by with an index, because "what breaches next" over every open ticket cannot be computed
per page load. A new ticket gets its copy in its own INSERT, computed from what the opening
holds (issue 12: the refresh after the commit was 5 of the portal POST's 14 statements and a
second transaction); after that it is refreshed after every change that moves a clock (a
receiver on the ticket's events, once the change is committed) and by the minutely sweep, which
also catches what no event announces: an edited calendar or target.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from santacare.core.after_commit import AfterCommit
from santacare.core.batch_scope import per_batch
from santacare.core.bulk import update_rows
from santacare.core.time import now as current_time
from santacare.tickets.models import Event, Ticket

from .clocks import Clock, ClockContext, ClockState, ticket_clocks
from .history import TicketRow
from .queries import clock_rows

# Events after which a clock may have started, paused, resumed, stopped or changed its target.
CLOCK_EVENTS = frozenset(
    {
        Event.Kind.OPENED,
        Event.Kind.STATUS_CHANGED,
        Event.Kind.PRIORITY_CHANGED,
        Event.Kind.MESSAGE_ADDED,
        Event.Kind.INFO_SUPPLIED,
        Event.Kind.MERGED,
    }
)
# A paused clock cannot breach while it waits: the ticket sorts with those without a clock.
_COUNTING = (ClockState.RUNNING, ClockState.BREACHED)
# Set on a ticket instance whose copy `due_at_opening` put into its INSERT.
_DUE_AT_OPENING = "sla_due_at_opening"


def next_due(clocks: list[Clock]) -> tuple[datetime | None, datetime | None]:
    """The earliest due time and earliest warning of the clocks that are counting."""
    counting = [clock for clock in clocks if clock.state in _COUNTING]
    if not counting:
        return None, None
    due = min(clock.due for clock in counting)
    warning = min(clock.warning_at or clock.due for clock in counting)
    return due, warning


def store_due(computed: Iterable[tuple[Ticket | TicketRow, list[Clock]]]) -> int:
    """Write the next due time of each ticket whose copy changed (one UPDATE, core/bulk.py),
    keeping the ticket's attributes in step; returns how many changed."""
    changed = []
    for ticket, clocks in computed:
        due, warning = _due_copy(ticket, clocks)
        if (ticket.sla_due_at, ticket.sla_warning_at) == (due, warning):
            continue
        ticket.sla_due_at, ticket.sla_warning_at = due, warning
        changed.append(Ticket(pk=ticket.pk, sla_due_at=due, sla_warning_at=warning))
    # Only these two columns, not save(): the copy is not a change to the ticket an agent made.
    update_rows(changed, ["sla_due_at", "sla_warning_at"])
    return len(changed)


def _due_copy(
    ticket: Ticket | TicketRow, clocks: list[Clock]
) -> tuple[datetime | None, datetime | None]:
    """What the copy says: the next due time while the ticket is open and not merged."""
    if ticket.is_open and ticket.merged_into_id is None:
        return next_due(clocks)
    return None, None


def refresh_due(
    ticket_ids: Iterable[int], *, now: datetime, context: ClockContext | None = None
) -> int:
    """Recompute the next due time of the given tickets (one UPDATE for all that changed);
    returns how many changed."""
    context = context or ClockContext.load()
    tickets = clock_rows(Ticket.objects.filter(pk__in=list(ticket_ids)))
    return store_due(
        (ticket, ticket_clocks(ticket, now=now, context=context, explain=False))
        for ticket in tickets
    )


def clear_done() -> int:
    """Empty the copy on tickets no longer open (indexed: only rows that carry a due time)."""
    stale = Ticket.objects.filter(sla_due_at__isnull=False).exclude(
        status__in=Ticket.OPEN_STATUSES, merged_into__isnull=True
    )
    return stale.update(sla_due_at=None, sla_warning_at=None)


def due_at_opening(
    sender: type[Ticket], ticket: Ticket, events: list[Event], **kwargs: Any
) -> None:
    """Receiver of `ticket_opening` (connected in SlaConfig.ready): the copy of a ticket being
    opened goes into its INSERT, computed by the same clocks from what the opening holds: the
    ticket as it will be saved and the events of its opening (a new ticket has no status or
    priority change yet, so nothing need be read back). The targets and calendars are read
    once per batch of mail. The opening event then asks for no refresh after the commit; any
    other clock event on the ticket in the same transaction still does (`event_saved`)."""
    if ticket.service_level_id is not None:  # no level, no clocks: nothing to read
        context = per_batch("sla.clock_context", ClockContext.load)
        clocks = ticket_clocks(
            ticket, now=current_time(), context=context, explain=False, events=events
        )
        ticket.sla_due_at, ticket.sla_warning_at = _due_copy(ticket, clocks)
    setattr(ticket, _DUE_AT_OPENING, True)


def event_saved(sender: type[Event], instance: Event, created: bool, **kwargs: Any) -> None:
    """Receiver (connected in SlaConfig.ready): refresh once the change is committed, so the
    clocks read the whole change, and a rolled-back change writes nothing.

    One change often logs several clock events on one ticket (opened, then its first
    message); the first callback after the commit refreshes every ticket noted so far and the
    others find nothing left, so each ticket is computed once per commit."""
    if not created or instance.kind not in CLOCK_EVENTS or _copied_at_opening(instance):
        return
    _after_commit.note(instance.ticket_id)


def _copied_at_opening(event: Event) -> bool:
    # Only the opening event of a ticket `due_at_opening` saw, made with that very instance
    # (store_message's); an event made without its ticket at hand is not read for this.
    return (
        event.kind == Event.Kind.OPENED
        and Event.ticket.is_cached(event)
        and getattr(event.ticket, _DUE_AT_OPENING, False)
    )


def _refresh(ticket_ids: list[Any]) -> None:
    refresh_due(ticket_ids, now=current_time())


# A ticket noted by a change that was then rolled back is merely refreshed once more.
_after_commit = AfterCommit("sla_due", _refresh)
# The callback event_saved registers with on_commit.
_refresh_waiting = _after_commit.run
