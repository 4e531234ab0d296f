"""The one writer of a ticket's status and of its R5 timestamps.

Every channel and service that moves a ticket (an agent's status change, a customer's reply
that reopens it, information supplied, a merge) calls `move_ticket`; the response clock stops
only through `record_first_response`. The SLA engine reads these timestamps and the
STATUS_CHANGED events, so a second writer would be a clock that silently stops or never runs.
Callers hold the ticket's row lock (`select_for_update`) inside their transaction.
"""

from datetime import datetime

from santacare.accounts.models import User
from santacare.core.time import now

from .events import record_event
from .models import Event, Ticket
from .signals import status_changed

DONE_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
# A customer's message on a ticket in one of these puts it back in the desk's hands.
REOPENED_BY_CUSTOMER = (Ticket.Status.WAITING_ON_CUSTOMER, *DONE_STATUSES)


def opening_status(missing_information: list[str]) -> Ticket.Status:
    """The status a new ticket starts in (R9: information requested while items are missing)."""
    return Ticket.Status.INFO_REQUESTED if missing_information else Ticket.Status.NEW


def move_ticket(
    ticket: Ticket, status: Ticket.Status, *, by: User | None = None, by_label: str = ""
) -> bool:
    """Move a locked ticket to `status`, keeping resolved_at and closed_at in step, and log it.

    Resolving stamps resolved_at; closing stamps closed_at (and resolved_at, if the ticket was
    never resolved, so the R5 timestamps stay whole); moving a resolved or closed ticket back to
    work clears both, so its restore clock runs again. Returns False when nothing changed.
    """
    status = Ticket.Status(status)
    old = ticket.status
    if old == status:
        return False
    moment = now()
    ticket.status = status
    if status == Ticket.Status.RESOLVED:
        ticket.resolved_at, ticket.closed_at = moment, None
    elif status == Ticket.Status.CLOSED:
        ticket.resolved_at = ticket.resolved_at or moment
        ticket.closed_at = moment
    elif old in DONE_STATUSES:
        ticket.resolved_at = ticket.closed_at = None
    ticket.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
    record_event(ticket, Event.Kind.STATUS_CHANGED, by=by, by_label=by_label, old=old, new=status)
    status_changed.send(
        sender=Ticket, ticket=ticket, old=old, new=status, by_label=by_label or str(by or "")
    )
    return True


def record_first_response(ticket: Ticket, *, at: datetime) -> bool:
    """R5: the first public reply from the desk stops the response clock, once."""
    if ticket.first_response_at is not None:
        return False
    ticket.first_response_at = at
    ticket.save(update_fields=["first_response_at", "updated_at"])
    return True
