"""Replacement times for the SLA report (R5, R13): how long from opening an RMA to the
replacement's delivery, and how often it came by the promised time, per report row."""

import math
from dataclasses import dataclass
from datetime import date

from django.db.models.functions import TruncMonth

from santacare.core.time import HELSINKI
from santacare.rma.models import Rma

from .dimensions import Dimension, ReportQuery, as_date, reported_tickets


@dataclass
class ReplacementFigures:
    count: int = 0
    median_hours: float | None = None
    met: int = 0
    promised: int = 0  # deliveries that had a promised time to be measured against

    @property
    def met_percent(self) -> float | None:
        return round(100 * self.met / self.promised, 1) if self.promised else None


def replacement_hours(rma: Rma) -> float | None:
    """Hours from opening the RMA to the replacement's delivery; None before delivery."""
    if rma.delivered_at is None:
        return None
    return round((rma.delivered_at - rma.opened_at).total_seconds() / 3600, 1)


def replacement_figures(query: ReportQuery) -> dict[tuple[date, str], ReplacementFigures]:
    """Delivered replacements of the report's tickets, by the ticket's month and dimension.
    RMAs are few beside tickets, so they are summed here rather than in SQL."""
    column = Dimension.TICKET_COLUMNS[query.group_by]
    delivered = (
        Rma.objects.filter(ticket__in=reported_tickets(query), delivered_at__isnull=False)
        .annotate(m=TruncMonth("ticket__received_at", tzinfo=HELSINKI))
        .values_list("m", f"ticket__{column}", "opened_at", "delivered_at", "promised_at")
    )
    hours: dict[tuple[date, str], list[float]] = {}
    figures: dict[tuple[date, str], ReplacementFigures] = {}
    for month, key, opened_at, delivered_at, promised_at in delivered:
        row_key = (as_date(month), "" if key is None else str(key))
        row = figures.setdefault(row_key, ReplacementFigures())
        row.count += 1
        hours.setdefault(row_key, []).append((delivered_at - opened_at).total_seconds() / 3600)
        if promised_at is not None:
            row.promised += 1
            row.met += delivered_at <= promised_at
    for row_key, values in hours.items():
        values.sort()
        # Nearest rank, as the clocks' medians are.
        figures[row_key].median_hours = round(values[math.ceil(0.5 * len(values)) - 1], 1)
    return figures
