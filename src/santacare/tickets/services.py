"""The changes an agent (or, for a few, the customer) makes to a ticket after it is open.

One verb per change. Each takes the row lock, writes the change with `update_fields`, and
records an `Event` in the same transaction: the SLA engine derives its clocks from the
STATUS_CHANGED and PRIORITY_CHANGED events, so every status or priority change must come
through here, never through a raw `save()`.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy

from santacare.accounts.models import User
from santacare.core.errors import CodedError
from santacare.customers.models import Contact

from .access import may_act_on
from .events import record_event
from .models import Event, Priority, Ticket
from .status import DONE_STATUSES, move_ticket

# What a customer's technical contact may do to a ticket of their own company (portal): mark it
# resolved or closed, or reopen it. Everything else is the desk's to decide.
CONTACT_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED, Ticket.Status.IN_PROGRESS)


class TicketChangeCode(StrEnum):
    ASSIGN_NON_AGENT = "assign_non_agent"
    MERGE_INTO_ITSELF = "merge_into_itself"
    MERGE_OTHER_CUSTOMER = "merge_other_customer"
    ALREADY_MERGED = "already_merged"
    TARGET_MERGED = "target_merged"
    LINK_TO_ITSELF = "link_to_itself"


_CHANGE_TEXTS = {
    TicketChangeCode.ASSIGN_NON_AGENT: gettext_lazy("Tickets are assigned to agents only."),
    TicketChangeCode.MERGE_INTO_ITSELF: gettext_lazy("A ticket cannot be merged into itself."),
    TicketChangeCode.MERGE_OTHER_CUSTOMER: gettext_lazy(
        "Only tickets of the same customer can be merged."
    ),
    TicketChangeCode.ALREADY_MERGED: gettext_lazy("The ticket has already been merged."),
    TicketChangeCode.TARGET_MERGED: gettext_lazy(
        "The target ticket has itself been merged into another."
    ),
    TicketChangeCode.LINK_TO_ITSELF: gettext_lazy("A ticket cannot be linked to itself."),
}


class TicketChangeError(CodedError):
    """A change that cannot be made; channels switch on `code`, people read `message`."""

    texts = _CHANGE_TEXTS


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _require_agent(by: User | None) -> User:
    if by is None or not by.is_agent:
        raise PermissionDenied("Only the desk's agents may make this change.")
    return by


@transaction.atomic
def change_status(
    ticket: Ticket,
    *,
    status: Ticket.Status,
    by: User | None = None,
    by_contact: Contact | None = None,
) -> Ticket:
    """Move the ticket to `status` (the timestamps follow, in `status.move_ticket`).

    An agent (`by`) may set any status. A contact (`by_contact`) may only resolve, close or
    reopen (to in progress) a ticket of their own company; anything else raises PermissionDenied.
    Returns the ticket as stored (the argument is refreshed too).
    """
    status = Ticket.Status(status)
    if by is not None:
        _require_agent(by)
    elif not may_act_on(ticket, contact=by_contact) or status not in CONTACT_STATUSES:
        raise PermissionDenied("A customer may only resolve, close or reopen their own tickets.")

    locked = _locked(ticket)
    if by is None and status == Ticket.Status.IN_PROGRESS and locked.status not in DONE_STATUSES:
        # "Reopen" means reopen: a contact cannot move a ticket the desk is working on.
        raise PermissionDenied("Only a resolved or closed ticket can be reopened.")
    if move_ticket(locked, status, by=by, by_label=str(by or by_contact)):
        _refresh(ticket, locked)
    return locked


@transaction.atomic
def change_priority(ticket: Ticket, *, priority: Priority, by: User) -> Ticket:
    priority = Priority(priority)
    _require_agent(by)
    locked = _locked(ticket)
    old = locked.priority
    if old == priority:
        return locked
    locked.priority = priority
    locked.save(update_fields=["priority", "updated_at"])
    record_event(locked, Event.Kind.PRIORITY_CHANGED, by=by, old=old, new=str(priority))
    _refresh(ticket, locked)
    return locked


@transaction.atomic
def assign_ticket(ticket: Ticket, *, agent: User | None, by: User) -> Ticket:
    """Give the ticket to `agent`, or to nobody with `agent=None`."""
    _require_agent(by)
    if agent is not None and not agent.is_agent:
        raise TicketChangeError(TicketChangeCode.ASSIGN_NON_AGENT)
    locked = _locked(ticket)
    previous = locked.assignee
    if previous == agent:
        return locked
    locked.assignee = agent
    locked.save(update_fields=["assignee", "updated_at"])
    record_event(
        locked,
        Event.Kind.ASSIGNED,
        by=by,
        old=previous.pk if previous else None,
        old_name=str(previous or ""),
        new=agent.pk if agent else None,
        new_name=str(agent or ""),
    )
    _refresh(ticket, locked)
    return locked


def merge_refusal(duplicate: Ticket, *, into: Ticket) -> TicketChangeError | None:
    """Why `duplicate` cannot be merged into `into`, or None: asked before the agent confirms,
    and again on the locked rows when the merge is made."""
    if duplicate.pk == into.pk:
        return TicketChangeError(TicketChangeCode.MERGE_INTO_ITSELF)
    if duplicate.customer_id != into.customer_id:
        return TicketChangeError(TicketChangeCode.MERGE_OTHER_CUSTOMER)
    if duplicate.merged_into_id is not None:
        return TicketChangeError(TicketChangeCode.ALREADY_MERGED)
    if into.merged_into_id is not None:
        return TicketChangeError(TicketChangeCode.TARGET_MERGED)
    return None


@transaction.atomic
def merge_tickets(duplicate: Ticket, *, into: Ticket, by: User) -> Ticket:
    """Fold a duplicate into the ticket that carries on; the duplicate is closed, not deleted.

    Its messages stay where they are (the workspace of `into` shows them), so the history of
    what the customer sent under the duplicate's tracking number is kept as it happened.
    """
    _require_agent(by)
    if duplicate.pk == into.pk:
        raise TicketChangeError(TicketChangeCode.MERGE_INTO_ITSELF)
    # Lock both rows in a fixed order, so two agents merging crosswise cannot deadlock.
    rows = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, into.pk])
        .order_by("pk")
    }
    locked, target = rows[duplicate.pk], rows[into.pk]
    refusal = merge_refusal(locked, into=target)
    if refusal is not None:
        raise refusal

    locked.merged_into = target
    locked.save(update_fields=["merged_into", "updated_at"])
    record_event(locked, Event.Kind.MERGED, by=by, into=target.tracking_number)
    record_event(target, Event.Kind.MERGED, by=by, merged=locked.tracking_number)
    closed = change_status(locked, status=Ticket.Status.CLOSED, by=by)
    _refresh(duplicate, closed)
    return target


@transaction.atomic
def link_tickets(ticket: Ticket, *, other: Ticket, by: User) -> None:
    """Mark two tickets as related (the same outage, the same vendor bug); both logs say so."""
    _require_agent(by)
    if ticket.pk == other.pk:
        raise TicketChangeError(TicketChangeCode.LINK_TO_ITSELF)
    if ticket.related_tickets.filter(pk=other.pk).exists():
        return
    ticket.related_tickets.add(other)
    record_event(ticket, Event.Kind.LINKED, by=by, other=other.tracking_number)
    record_event(other, Event.Kind.LINKED, by=by, other=ticket.tracking_number)


@transaction.atomic
def unlink_tickets(ticket: Ticket, *, other: Ticket, by: User) -> None:
    _require_agent(by)
    if not ticket.related_tickets.filter(pk=other.pk).exists():
        return
    ticket.related_tickets.remove(other)
    record_event(ticket, Event.Kind.LINKED, by=by, other=other.tracking_number, removed=True)
    record_event(other, Event.Kind.LINKED, by=by, other=ticket.tracking_number, removed=True)


def _refresh(stale: Ticket, fresh: Ticket) -> None:
    """Callers keep using the instance they passed in; let it show what is now stored."""
    if stale is fresh:
        return
    for field in (
        "status",
        "priority",
        "assignee_id",
        "merged_into_id",
        "resolved_at",
        "closed_at",
        "updated_at",
    ):
        setattr(stale, field, getattr(fresh, field))
    # Cached related objects would otherwise contradict the fresh ids.
    stale._state.fields_cache.pop("assignee", None)
    stale._state.fields_cache.pop("merged_into", None)


PHONE_CALL_MADE = "phone_call_made"


@transaction.atomic
def record_phone_call(ticket: Ticket, *, by: User) -> Ticket:
    """R8: an agent has phoned the customer about a request that had to come by phone.

    The flag that made the ticket stand out in the desk is cleared, and the log says who called.
    """
    _require_agent(by)
    locked = _locked(ticket)
    if not locked.phone_call_required:
        return locked
    locked.phone_call_required = False
    locked.save(update_fields=["phone_call_required", "updated_at"])
    record_event(locked, PHONE_CALL_MADE, by=by)
    ticket.phone_call_required = False
    return locked
