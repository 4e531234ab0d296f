"""When the failed unit is due back at the vendor (R13, R14: Finnish business days)."""

from datetime import date, datetime, timedelta

from santacare.calendars.services import load_calendar
from santacare.core.time import helsinki


def return_due_date(delivered_at: datetime, *, window_days: int) -> date:
    """The vendor's window counts calendar days from delivery; a due date that falls on a
    weekend or a Finnish holiday moves to the next business day, when a courier can collect."""
    due = helsinki(delivered_at).date() + timedelta(days=window_days)
    calendar = load_calendar()  # once, not a query per day tried
    for _day in range(14):
        if calendar.is_business_day(due):
            break
        due += timedelta(days=1)
    return due


def returned_late(returned_at: datetime | None, return_due: date | None) -> bool:
    """Sent back after its due date (Helsinki day). With no due date (cleared in the admin, or
    never delivered) a return cannot be late."""
    return (
        returned_at is not None
        and return_due is not None
        and helsinki(returned_at).date() > return_due
    )
