"""The desk's queues, their counts, search and paging.

Every page is one query for the rows and one for the counts, however many rows it shows; the
pages are keyset pages (`core.paging`), so paging deep never scans what was skipped.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from santacare.accounts.models import User
from santacare.core.paging import Page, keyset_page
from santacare.sla.clocks import Clock
from santacare.sla.models import ClockName, SlaNotice
from santacare.sla.queries import tickets_at_risk
from santacare.tickets.models import Channel, Priority, Ticket
from santacare.tickets.search import search_tickets

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 200


class Queue:
    NEW = "new"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    WAITING = "waiting"
    AT_RISK = "at_risk"
    ALL = "all"

    LABELS = {
        NEW: _("New"),
        UNASSIGNED: _("Unassigned"),
        MINE: _("Mine"),
        WAITING: _("Waiting for customer"),
        AT_RISK: _("At SLA risk"),
        ALL: _("All"),
    }


def _queue_conditions(user: User) -> dict[str, Q]:
    open_ = Q(status__in=Ticket.OPEN_STATUSES, merged_into__isnull=True)
    return {
        Queue.NEW: Q(status=Ticket.Status.NEW, merged_into__isnull=True),
        Queue.UNASSIGNED: open_ & Q(assignee__isnull=True),
        Queue.MINE: open_ & Q(assignee=user),
        Queue.WAITING: Q(status=Ticket.Status.WAITING_ON_CUSTOMER),
        Queue.ALL: Q(),
    }


def queue_counts(user: User) -> dict[str, int]:
    """All queue counts in one query each: the plain queues together, then the SLA risk one."""
    conditions = _queue_conditions(user)
    counts = Ticket.objects.aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )
    counts[Queue.AT_RISK] = at_sla_risk(Ticket.objects.all()).count()
    return counts


def at_sla_risk(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Open tickets the SLA sweep (every minute) has warned or breached on a running clock,
    the earliest due first.

    The sweep's notices are the index: computing every open ticket's clocks on each page load
    took seconds at a few thousand open tickets. A notice is not withdrawn when, say, the
    priority is lowered later; the page shows each listed ticket's exact clock beside it.
    """
    running = Q(clock=ClockName.RESTORE) | Q(
        clock=ClockName.RESPONSE, ticket__first_response_at__isnull=True
    )
    notices = SlaNotice.objects.filter(running, ticket=OuterRef("pk"))
    return (
        tickets.filter(status__in=Ticket.OPEN_STATUSES, merged_into__isnull=True)
        .annotate(risk_due=Subquery(notices.order_by("due").values("due")[:1]))
        .filter(risk_due__isnull=False)
        .order_by("risk_due", "received_at", "id")
    )


@dataclass(frozen=True)
class Filters:
    queue: str = Queue.ALL
    q: str = ""
    status: str = ""
    priority: str = ""
    channel: str = ""


def search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Agents search everything, internal notes included (tickets/search.py)."""
    return search_tickets(tickets, text, internal=True)


def filtered_tickets(user: User, filters: Filters) -> QuerySet[Ticket]:
    # The SLA risk queue filters these further by their clocks (tickets_at_sla_risk).
    condition = _queue_conditions(user).get(filters.queue, Q())
    tickets = Ticket.objects.filter(condition).select_related("customer", "assignee")
    if filters.status in Ticket.Status.values:
        tickets = tickets.filter(status=filters.status)
    if filters.priority in Priority.values:
        tickets = tickets.filter(priority=filters.priority)
    if filters.channel in Channel.values:
        tickets = tickets.filter(channel=filters.channel)
    return search(tickets, filters.q)


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    # In the SLA risk queue: the open clock with the least time left, shown instead of the
    # time received.
    risk_clock: Clock | None = None


def risk_page(tickets: QuerySet[Ticket], *, moment: datetime) -> Page[QueueRow]:
    """The SLA risk queue is short by nature and sorted by time left: one page, no cursor."""
    ids = list(at_sla_risk(tickets).values_list("pk", flat=True)[:PAGE_SIZE])
    risks = tickets_at_risk(
        now=moment,
        queryset=tickets.model.objects.filter(pk__in=ids).select_related("customer", "assignee"),
        limit=PAGE_SIZE,
    )
    rows = [QueueRow(risk.ticket, risk.clock) for risk in risks]
    return Page(rows, next_cursor=None, previous_cursor=None)


def ticket_page(tickets: QuerySet[Ticket], *, cursor: str = "") -> Page[QueueRow]:
    page = keyset_page(
        tickets, order=("-received_at", "-id"), size=PAGE_SIZE, cursor=cursor, salt="desk.queue"
    )
    return Page([QueueRow(ticket) for ticket in page.items], page.next_cursor, page.previous_cursor)
