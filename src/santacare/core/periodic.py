"""Periodic jobs that run once per period however many workers schedule them.

Every huey consumer runs its own scheduler, so with two workers (or two nodes) each periodic task
is enqueued twice a minute. `once_per_period` lets the first run of a period claim it with a row
(`core/models.py::PeriodicRun`, unique on job and period) and makes the others return at once.
The claim lives in the database, not in Redis: it survives a Redis restart, works the same on
SQLite, and the readiness check (`/readyz`) reads each job's last run from it.
"""

import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.db.models import Q

from .models import PeriodicRun
from .time import now

logger = logging.getLogger(__name__)

# A run that has not finished after this long is taken for dead (its worker was killed) and no
# longer keeps the next periods from running; until then an overrunning job is not overlapped.
DEFAULT_LEASE = timedelta(minutes=5)
# Claims older than this are deleted as new ones are taken: the table stays small.
KEEP_RUNS = timedelta(days=7)

WORKER = f"{socket.gethostname()}:{os.getpid()}"


def period_start(moment: datetime, period: timedelta) -> datetime:
    """The period a run at `moment` belongs to. Rounded, not floored: a scheduler fires just
    after the period's boundary, so two nodes whose clocks differ by less than half a period,
    or a task picked up late from the queue, still name the same period."""
    seconds = period.total_seconds()
    return datetime.fromtimestamp(round(moment.timestamp() / seconds) * seconds, tz=UTC)


def claim(job: str, period: timedelta, *, lease: timedelta = DEFAULT_LEASE) -> PeriodicRun | None:
    """This worker's claim on the current period of `job`, or None when another has it (or an
    earlier run is still going)."""
    moment = now()
    # Also none within half a period of the last start: each huey consumer checks its periodic
    # tasks at its own second of the minute (counted from its start), so a restarted worker's
    # scheduler can fire 20 s after another's, inside the next rounded period: the job would run
    # twice in one minute of the clock (found by the cluster test, tests/cluster).
    if PeriodicRun.objects.filter(
        Q(finished_at__isnull=True, started_at__gt=moment - lease)
        | Q(started_at__gt=moment - period / 2),
        job=job,
    ).exists():
        return None
    try:
        with transaction.atomic():
            run = PeriodicRun.objects.create(
                job=job,
                period_start=period_start(moment, period),
                started_at=moment,
                worker=WORKER[:200],
            )
    except IntegrityError:
        return None
    PeriodicRun.objects.filter(job=job, started_at__lt=moment - KEEP_RUNS).delete()
    return run


def once_per_period(
    job: str, period: timedelta, *, lease: timedelta = DEFAULT_LEASE
) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Decorate a periodic task's function (under huey's decorator) so that it runs once per
    period across all workers; the others skip it, saying so at debug level."""

    def decorator(function: Callable[[], None]) -> Callable[[], None]:
        @wraps(function)
        def run() -> None:
            claimed = claim(job, period, lease=lease)
            if claimed is None:
                logger.debug("Periodic job %s: this period is another worker's", job)
                return
            try:
                function()
            except BaseException:
                PeriodicRun.objects.filter(pk=claimed.pk).update(finished_at=now(), failed=True)
                raise
            PeriodicRun.objects.filter(pk=claimed.pk).update(finished_at=now())

        return run

    return decorator


def last_finished(job: str) -> datetime | None:
    """When `job` last finished a run without failing (None: never)."""
    return (
        PeriodicRun.objects.filter(job=job, finished_at__isnull=False, failed=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
