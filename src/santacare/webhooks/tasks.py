"""Huey tasks of the webhooks: each takes an id and calls one service. The durable state is the
WebhookDelivery row, so the periodic sweep sends whatever a lost task or a crash left behind."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from santacare.core.time import now

from .sending import deliver, due_deliveries


@db_task()
def deliver_webhook_task(delivery_id: int) -> None:
    result = deliver(delivery_id, now=now())
    if result is not None and result.retry_in is not None:
        deliver_webhook_task.schedule((delivery_id,), delay=result.retry_in.total_seconds())


@db_periodic_task(crontab(minute="*"))
def sweep_webhooks() -> None:
    for delivery_id in due_deliveries(now=now()):
        deliver(delivery_id, now=now())
