"""The answer to "when?" for a ticket not yet opened: `santacare sla due`."""

from datetime import datetime

from santacare.calendars.models import Coverage
from santacare.installbase.models import ServiceLevel

from .clocks import Clock, ClockContext, measure_clock, replacement_clock
from .history import History
from .models import ClockName


def due_times(*, service_level: ServiceLevel, priority: str, start: datetime) -> list[Clock]:
    """Due times of all three clocks for a ticket opened at `start` with no pauses: what agents
    and sales answer to "when?" (`santacare sla due`)."""
    context = ClockContext.load()
    target = context.target(service_level.pk, priority)
    if target is None:
        return []
    calendar = context.calendar(service_level.coverage)
    history = History([], None, [(start, priority)])
    clocks = [
        measure_clock(
            name,
            target_minutes=minutes,
            warning_percent=target.warning_percent,
            calendar=calendar,
            start=start,
            stop=None,
            history=history,
            now=start,
        )
        for name, minutes in (
            (ClockName.RESPONSE, target.response_minutes),
            (ClockName.RESTORE, target.restore_minutes),
        )
    ]
    clocks.append(
        replacement_clock(
            target=target,
            calendar=calendar,
            business_days=context.calendar(Coverage.OFFICE_HOURS),
            ordered_at=start,
            delivered_at=None,
            now=start,
        )
    )
    return clocks
