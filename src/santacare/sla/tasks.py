"""Periodic SLA work for huey. The sweep is idempotent: notices are unique rows, so a sweep
that runs twice, or on two workers at once, still sends each notice once."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from santacare.core.periodic import once_per_period
from santacare.core.time import now

from .notifications import sweep

# The job's name in core's PeriodicRun table; the readiness check measures the sweep's lag by it.
SLA_SWEEP_JOB = "sla_sweep"


@db_periodic_task(crontab(minute="*"))
@once_per_period(SLA_SWEEP_JOB, timedelta(minutes=1))
def sla_sweep() -> None:
    sweep(now=now())
