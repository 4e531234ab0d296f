"""Coverage calendars (R14): Finnish office hours and public holidays, in Europe/Helsinki.

Pure functions, no ORM, so they can be tested exhaustively.
"""

from datetime import date, datetime, time
from functools import lru_cache

import holidays

from santacare.core.time import HELSINKI

OFFICE_OPENS = time(8, 0)
OFFICE_CLOSES = time(16, 0)


@lru_cache(maxsize=64)
def _finnish_holidays(year: int) -> dict[date, str]:
    # The PUBLIC category of `holidays` already includes Midsummer Eve and Christmas Eve, the
    # de-facto days off; never take a union with WORKDAY (flag days) or UNOFFICIAL.
    return dict(holidays.country_holidays("FI", years=year, language="en_US"))


def holiday_name(day: date) -> str | None:
    return _finnish_holidays(day.year).get(day)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def is_office_hours(moment: datetime) -> bool:
    """True in Finnish office hours: Mon–Fri 08:00–16:00 Helsinki time, holidays off."""
    local = moment.astimezone(HELSINKI)
    return is_business_day(local.date()) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES
