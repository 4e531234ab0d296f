"""Readiness: can this node do its work, and is the work getting done?

Each check answers with a name, a verdict and a number an operator can graph; none carries a
message from the failing part (it may name hosts or users), only the exception's type. The
limits come from the settings (SANTACARE_READY_*; README, docs/OPERATIONS.md).
"""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Min
from huey.contrib.djhuey import HUEY

from santacare.core.periodic import last_finished
from santacare.core.time import now
from santacare.mailgate.models import InboundMail
from santacare.mailgate.queue import inbound_mail_huey
from santacare.outbox.models import OutboundMail
from santacare.sla.tasks import SLA_SWEEP_JOB

logger = logging.getLogger(__name__)

# A name the storage check asks about; it need not exist, the question must be answered.
STORAGE_PROBE = "readyz-probe"
REDIS_TIMEOUT_SECONDS = 2


@dataclass
class Check:
    name: str
    ok: bool
    value: float | None = None
    limit: float | None = None
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        return {key: value for key, value in asdict(self).items() if value not in ("", None)}


def _age_seconds(moment: datetime | None) -> float:
    return round((now() - moment).total_seconds(), 1) if moment else 0.0


def _database() -> float | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _redis() -> float | None:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()
    return None


def _storage() -> float | None:
    default_storage.exists(STORAGE_PROBE)
    return None


def _queue_depth() -> float:
    return float(HUEY.pending_count() + inbound_mail_huey.pending_count())


def _inbound_mail_age() -> float:
    oldest = InboundMail.objects.filter(state=InboundMail.State.RECEIVED).aggregate(
        oldest=Min("received_at")
    )["oldest"]
    return _age_seconds(oldest)


def _outbox_backlog() -> float:
    return float(OutboundMail.objects.filter(state=OutboundMail.State.QUEUED).count())


def _outbox_age() -> float:
    oldest = OutboundMail.objects.filter(state=OutboundMail.State.QUEUED).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    return _age_seconds(oldest)


def _sla_sweep_lag() -> float | None:
    finished = last_finished(SLA_SWEEP_JOB)
    # Never run: no worker has started yet, or none can reach the database.
    return _age_seconds(finished) if finished else None


def _run(name: str, probe: Callable[[], float | None], limit: float | None = None) -> Check:
    try:
        value = probe()
    except Exception as error:
        logger.warning("Readiness check %s failed: %s", name, type(error).__name__)
        return Check(name, ok=False, limit=limit, error=type(error).__name__)
    if limit is not None and (value is None or value > limit):
        return Check(name, ok=False, value=value, limit=limit)
    return Check(name, ok=True, value=value, limit=limit)


def readiness() -> list[Check]:
    """Every check, the cheap ones first; those that need the database are skipped (and fail)
    when it is down, so a dead database costs one connection attempt, not six."""
    checks = [_run("database", _database)]
    if settings.REDIS_URL:
        checks.append(_run("redis", _redis))
    checks.append(_run("storage", _storage))
    checks.append(_run("queue_depth", _queue_depth, settings.READY_MAX_QUEUE_DEPTH))
    database_checks: list[tuple[str, Callable[[], float | None], float | None]] = [
        ("inbound_mail_oldest_seconds", _inbound_mail_age, settings.READY_MAX_INBOUND_AGE),
        ("outbox_backlog", _outbox_backlog, None),
        ("outbox_oldest_seconds", _outbox_age, settings.READY_MAX_OUTBOX_AGE),
        ("sla_sweep_lag_seconds", _sla_sweep_lag, settings.READY_MAX_SWEEP_LAG),
    ]
    if not checks[0].ok:
        return checks + [
            Check(name, ok=False, limit=limit, error="database unavailable")
            for name, _probe, limit in database_checks
        ]
    return checks + [_run(name, probe, limit) for name, probe, limit in database_checks]
