"""Webhook deliveries: written in the transaction of the change they report, sent after it
commits by the job queue, signed, and retried with backoff.

Nothing is sent inside a request: an endpoint that is slow or down costs the desk one row per
subscribed endpoint, never a wait.
"""

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from santacare.core.batch_scope import per_batch
from santacare.core.time import now as current_time

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .tasks import deliver_webhook_task

logger = logging.getLogger(__name__)

SUBSCRIPTIONS_SECONDS = 10.0
# (when read, the events subscribed to); None until first read, and after an endpoint changed.
_subscriptions: tuple[float, frozenset[str] | None] = (0.0, None)


def queue_webhooks(
    event: WebhookEvent, data: Callable[[], Mapping[str, Any]]
) -> list[WebhookDelivery]:
    """One delivery per active endpoint that subscribed to `event`, in the caller's
    transaction; each is handed to the job queue after the commit (a rollback sends none).

    `data` is called only when somebody subscribed: without endpoints an event costs no query.
    When somebody did, the endpoints are read (in a batch of work, once for the whole batch).
    """
    if event not in subscribed_events():
        return []
    active = per_batch("webhooks.active_endpoints", _active_endpoints)
    endpoints = [endpoint for endpoint in active if event in endpoint.events]
    if not endpoints:
        return []
    payload = dict(data())
    deliveries = []
    moment = current_time()
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=moment)
        delivery.body = json.dumps(
            {
                "id": str(delivery.uuid),
                "event": str(event),
                "occurred_at": moment.isoformat(),
                "data": payload,
            },
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        )
        delivery.save()
        deliveries.append(delivery)
        transaction.on_commit(partial(_enqueue, delivery.pk))
    return deliveries


def subscribed_events() -> frozenset[str]:
    """The events some active endpoint subscribed to, read at most every
    SUBSCRIPTIONS_SECONDS per process (issue 12: a query per signal on every ticket change).

    A saved or deleted endpoint clears it in its own process at once; other processes (workers,
    hosts) notice within SUBSCRIPTIONS_SECONDS. Only "nobody listens" is trusted from it: when
    somebody does, `queue_webhooks` reads the endpoints themselves, so a deleted or switched-off
    endpoint never gets a delivery from a stale copy.
    """
    global _subscriptions
    loaded_at, events = _subscriptions
    if events is None or time.monotonic() - loaded_at > SUBSCRIPTIONS_SECONDS:
        events = frozenset(
            event
            for subscribed in WebhookEndpoint.objects.filter(is_active=True)
            .order_by()
            .values_list("events", flat=True)
            for event in subscribed
        )
        _subscriptions = (time.monotonic(), events)
    return events


def forget_subscriptions() -> None:
    """An endpoint was saved or deleted: read the subscriptions again next time."""
    global _subscriptions
    _subscriptions = (0.0, None)


def _active_endpoints() -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(is_active=True).only("id", "events"))


def _enqueue(delivery_id: int) -> None:
    try:
        deliver_webhook_task(delivery_id)
    except Exception:
        # The queue being down must not fail the request that made the change: the row is
        # durable and the periodic sweep sends it.
        logger.exception("Could not enqueue webhook delivery %s; the sweep will", delivery_id)


def retry_delivery(delivery: WebhookDelivery, *, at: datetime | None = None) -> None:
    """An admin's "send again" for a failed delivery: fresh attempts, the same body and id."""
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
        state=WebhookDelivery.State.DELIVERED
    ).update(
        state=WebhookDelivery.State.PENDING,
        attempts=0,
        next_attempt_at=at or current_time(),
        claimed_until=None,
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk))
