"""Periodic SLA work for huey. The sweep is idempotent: notices are unique rows, so a sweep
that runs twice, or on two workers at once, still sends each notice once."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from santacare.core.time import now

from .notifications import sweep


@db_periodic_task(crontab(minute="*"))
def sla_sweep() -> None:
    sweep(now=now())
