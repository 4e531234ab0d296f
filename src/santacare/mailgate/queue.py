"""The inbound mail queue: a huey of its own, beside the one djhuey runs for everything else.

A mail can cost its processor up to the time budget, and a flood of them could keep every
worker busy; on their own queue, with their own consumer, they never delay sending mail or the
SLA sweeps, which stay on the main queue.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from huey import Huey
from huey.api import TaskWrapper
from huey.utils import load_class


def _build(config: dict[str, Any]) -> Huey:
    options = dict(config)
    huey_class = load_class(options.pop("huey_class"))
    name = options.pop("name")
    connection = options.pop("connection", {})
    options.pop("consumer", None)
    return huey_class(name, **options, **connection)


inbound_mail_huey = _build(settings.HUEY_INBOUND_MAIL)


def _with_fresh_connections(function: Callable[..., None]) -> Callable[..., None]:
    # A consumer thread lives long; a connection the database closed meanwhile must not fail
    # the next task (what djhuey's db_task does for the main queue).
    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> None:
        if not inbound_mail_huey.immediate:
            close_old_connections()
        try:
            function(*args, **kwargs)
        finally:
            if not inbound_mail_huey.immediate:
                close_old_connections()

    return run


def inbound_mail_task(function: Callable[..., None]) -> TaskWrapper:
    return inbound_mail_huey.task()(_with_fresh_connections(function))


def inbound_mail_periodic_task(
    schedule: Callable[..., bool],
) -> Callable[[Callable[..., None]], TaskWrapper]:
    def decorator(function: Callable[..., None]) -> TaskWrapper:
        return inbound_mail_huey.periodic_task(schedule)(_with_fresh_connections(function))

    return decorator
