"""Time in the desk's one time zone (R14): stored in UTC, reasoned about in Helsinki."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

HELSINKI = ZoneInfo("Europe/Helsinki")


def now() -> datetime:
    return timezone.now()


def helsinki(moment: datetime) -> datetime:
    return moment.astimezone(HELSINKI)
