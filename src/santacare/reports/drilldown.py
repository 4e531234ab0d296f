"""The tickets behind one row of the SLA report (R5): each with its measured response and
restore times and its replacement's delivery time, so a figure can be checked ticket by ticket."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from santacare.rma.models import Rma
from santacare.sla.models import ClockName, ClockResult
from santacare.tickets.models import Ticket

from .dimensions import Dimension, ReportQuery, reported_tickets
from .replacements import replacement_hours

MAX_TICKETS = 200  # a row of a year's report rarely holds more; the page says when it does


@dataclass(frozen=True)
class TicketFigures:
    ticket: Ticket
    response: ClockResult | None
    restore: ClockResult | None
    replacement_hours: float | None


def row_tickets(query: ReportQuery, *, month: date, key: str) -> QuerySet[Ticket]:
    """The report's tickets of one month and one value of its dimension ("" = none)."""
    column = Dimension.TICKET_COLUMNS[query.group_by]
    tickets = reported_tickets(
        ReportQuery(
            group_by=query.group_by,
            customer_id=query.customer_id,
            first_month=month,
            last_month=month,
            portal_only=query.portal_only,
        )
    )
    if column.endswith("_id"):
        if key == "":
            return tickets.filter(**{f"{column}__isnull": True})
        if not key.isdigit():
            return tickets.none()
        return tickets.filter(**{column: int(key)})
    if key == "":
        return tickets.filter(Q(**{column: ""}) | Q(**{f"{column}__isnull": True}))
    return tickets.filter(**{column: key})


def ticket_figures(tickets: QuerySet[Ticket]) -> list[TicketFigures]:
    chosen = tickets.order_by("received_at", "pk").prefetch_related(
        Prefetch("clock_results", to_attr="results"),
        Prefetch(
            "rmas",
            queryset=Rma.objects.filter(delivered_at__isnull=False).order_by("delivered_at"),
            to_attr="delivered_rmas",
        ),
    )[:MAX_TICKETS]
    figures = []
    for ticket in chosen:
        results = {result.clock: result for result in ticket.results}
        delivered = ticket.delivered_rmas
        figures.append(
            TicketFigures(
                ticket=ticket,
                response=results.get(ClockName.RESPONSE),
                restore=results.get(ClockName.RESTORE),
                replacement_hours=replacement_hours(delivered[0]) if delivered else None,
            )
        )
    return figures
