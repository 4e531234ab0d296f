"""Rebuild stored clock results from history, after a calendar or target was edited."""

from datetime import datetime

from santacare.tickets.models import Ticket

from .clocks import ClockContext
from .queries import with_history
from .results import record_results

BATCH = 1000


def recompute_results(*, now: datetime) -> int:
    context = ClockContext.load()
    stopped = Ticket.objects.filter(service_level__isnull=False).exclude(
        first_response_at__isnull=True, resolved_at__isnull=True, closed_at__isnull=True
    )
    written, last_id = 0, 0
    while True:  # keyset batches: bounded by the number of tickets
        batch = list(with_history(stopped.filter(id__gt=last_id).order_by("id"))[:BATCH])
        if not batch:
            return written
        for ticket in batch:
            written += record_results(ticket, now=now, context=context)
        last_id = batch[-1].id
