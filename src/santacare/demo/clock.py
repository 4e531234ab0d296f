"""The demo's stories replayed at moments in the past, so the desk's clocks look live.

Every writer stamps its rows with `django.utils.timezone.now()` (through `core/time.py::now` or
`auto_now_add`); while a story step runs, that function answers the step's moment instead. The
writers themselves run unchanged, so statuses, events, SLA clocks and mail are what the desk
would have recorded had the step happened then. Only the demo uses this, in one thread.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone


@contextmanager
def at(moment: datetime) -> Iterator[datetime]:
    """Run the block as if the time were `moment` (an aware datetime, not in the future)."""
    real_now = timezone.now()
    moment = min(moment, real_now)
    with mock.patch.object(timezone, "now", return_value=moment):
        yield moment


class Timeline:
    """Moments relative to one "now", so a run of the demo tells one consistent story."""

    def __init__(self, reference: datetime) -> None:
        self.now = reference

    def ago(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)
