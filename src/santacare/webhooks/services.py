"""Webhook deliveries: written in the transaction of the change they report, sent after it
commits by the job queue, signed, and retried with backoff.

Nothing is sent inside a request: an endpoint that is slow or down costs the desk one row per
subscribed endpoint, never a wait.
"""

import json
import logging
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


def queue_webhooks(
    event: WebhookEvent, data: Callable[[], Mapping[str, Any]]
) -> list[WebhookDelivery]:
    """One delivery per active endpoint that subscribed to `event`, in the caller's
    transaction; each is handed to the job queue after the commit (a rollback sends none).

    `data` is called only when somebody subscribed: without endpoints an event costs one query
    (in a batch of work, one for the whole batch).
    """
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
