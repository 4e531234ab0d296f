"""Huey tasks: thin shells over the reminder sweep, which holds the rule and is tested alone."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from santacare.core.periodic import once_per_period
from santacare.core.time import now

from .reminders import send_return_reminders


@db_periodic_task(crontab(minute="20"))
@once_per_period("rma_return_reminders", timedelta(hours=1), lease=timedelta(minutes=30))
def remind_returns() -> None:
    # Hourly: each reminder is sent once, so the run's frequency only sets how soon after
    # midnight (Helsinki) a new day's reminders go out; a run that hit its limit continues.
    send_return_reminders(now=now())
