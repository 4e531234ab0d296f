"""The measured result of every stopped clock, stored for the reports (R5)."""

from datetime import date, datetime

from santacare.core.time import HELSINKI
from santacare.tickets.models import Ticket

from .clocks import ClockContext, ClockState, ticket_clocks
from .models import ClockResult


def month_of(moment: datetime) -> date:
    return moment.astimezone(HELSINKI).date().replace(day=1)


def record_results(ticket: Ticket, *, now: datetime, context: ClockContext | None = None) -> int:
    """Store the measured result of each stopped clock (what the reports aggregate). Idempotent:
    a result is rewritten when history changed, so it always matches the derived clock."""
    written = 0
    site_id = ticket.device.site_id if ticket.device_id and ticket.device else None
    for clock in ticket_clocks(ticket, now=now, context=context):
        if clock.stopped_at is None:
            continue
        ClockResult.objects.update_or_create(
            ticket=ticket,
            clock=clock.name,
            defaults={
                "started_at": ticket.received_at,
                "stopped_at": clock.stopped_at,
                "target_minutes": clock.target_minutes,
                "elapsed_minutes": int(clock.elapsed.total_seconds() // 60),
                "met": clock.state == ClockState.MET if clock.applies else None,
                "month": month_of(ticket.received_at),
                "customer_id": ticket.customer_id,
                "contract_number": ticket.contract_number,
                "service_level_id": ticket.service_level_id,
                "priority": ticket.priority,
                "channel": ticket.channel,
                "device_id": ticket.device_id,
                "site_id": site_id,
            },
        )
        written += 1
    return written
