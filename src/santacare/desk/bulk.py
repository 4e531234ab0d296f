"""Bulk actions of the queue: the same one-ticket services, called once per ticket.

Each ticket is its own transaction (the services take the row lock and write the event), so
one ticket that cannot be changed leaves the others changed, and the agent is told which
failed and why.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from santacare.accounts.models import User
from santacare.tickets.models import Priority, Ticket
from santacare.tickets.services import (
    TicketChangeError,
    assign_ticket,
    change_priority,
    change_status,
)

MAX_BULK_TICKETS = 100


class BulkAction(StrEnum):
    ASSIGN_TO_ME = "assign_me"
    ASSIGN = "assign"
    STATUS = "status"
    PRIORITY = "priority"


@dataclass(frozen=True)
class BulkChange:
    action: BulkAction
    assignee: User | None = None
    status: str = ""
    priority: str = ""


@dataclass
class BulkOutcome:
    changed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def apply_bulk(tickets: list[Ticket], change: BulkChange, *, by: User) -> BulkOutcome:
    outcome = BulkOutcome()
    for ticket in tickets[:MAX_BULK_TICKETS]:
        try:
            _apply(ticket, change, by=by)
        except TicketChangeError as error:
            outcome.failed.append((ticket.tracking_number, str(error.message)))
        except PermissionDenied:
            outcome.failed.append(
                (ticket.tracking_number, gettext("You may not make this change."))
            )
        else:
            outcome.changed.append(ticket.tracking_number)
    return outcome


def _apply(ticket: Ticket, change: BulkChange, *, by: User) -> None:
    if change.action == BulkAction.ASSIGN_TO_ME:
        assign_ticket(ticket, agent=by, by=by)
    elif change.action == BulkAction.ASSIGN:
        assign_ticket(ticket, agent=change.assignee, by=by)
    elif change.action == BulkAction.STATUS:
        change_status(ticket, status=Ticket.Status(change.status), by=by)
    else:
        change_priority(ticket, priority=Priority(change.priority), by=by)
