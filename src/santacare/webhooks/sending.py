"""Sending one webhook delivery: claim, POST the signed body, log the attempt, and either mark
it delivered, schedule the next attempt with exponential backoff, or give up after the last."""

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from .models import RESPONSE_EXCERPT_LENGTH, WebhookAttempt, WebhookDelivery
from .signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
TIMEOUT_SECONDS = 10
# Long enough for two workers never to send one delivery at once; if the claimer dies, the row
# is due again after it (at-least-once, the receiver dedupes by X-SantaCare-Delivery).
CLAIM_LEASE = timedelta(seconds=TIMEOUT_SECONDS * 3)
SWEEP_BATCH = 100


@dataclass(frozen=True)
class AttemptResult:
    state: str
    retry_in: timedelta | None = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body: an answer to log, not follow.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, then doubling, at most an hour: 8 attempts span ~1 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _claim(delivery_id: int, *, now: datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        state=WebhookDelivery.State.PENDING,
        next_attempt_at__lte=now,
        # An endpoint the admin switched off gets nothing more; switched on, it gets the rest.
        endpoint__is_active=True,
    ).update(claimed_until=now + CLAIM_LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _post(delivery: WebhookDelivery, *, now: datetime) -> tuple[int | None, str, str]:
    """(status code, the answer's start, error) of one POST."""
    body = delivery.body.encode()
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(  # noqa: S310 - the model refuses all but http(s)
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SantaCare-Webhooks/1",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(delivery.endpoint.secret, timestamp=timestamp, body=body),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.uuid),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read(RESPONSE_EXCERPT_LENGTH * 4)
            return response.status, _excerpt(answer), ""
    except urllib.error.HTTPError as error:
        return error.code, _excerpt(error.read(RESPONSE_EXCERPT_LENGTH * 4)), ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, "", str(reason)[:300] or type(error).__name__


def _excerpt(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").replace("\x00", "")
    return text[:RESPONSE_EXCERPT_LENGTH]


def deliver(delivery_id: int, *, now: datetime) -> AttemptResult | None:
    """One attempt, if the delivery is due and nobody else holds it; None otherwise."""
    delivery = _claim(delivery_id, now=now)
    if delivery is None:
        return None
    status, answer, error = _post(delivery, now=now)
    WebhookAttempt.objects.create(
        delivery=delivery, attempted_at=now, status_code=status, response=answer, error=error
    )
    delivery.attempts += 1
    delivery.last_status_code = status
    delivery.claimed_until = None
    retry_in = None
    if status is not None and 200 <= status < 300:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
        logger.warning("Webhook delivery %s failed after %s attempts", delivery.pk, MAX_ATTEMPTS)
    else:
        retry_in = backoff(delivery.attempts)
        delivery.next_attempt_at = now + retry_in
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "claimed_until",
            "state",
            "delivered_at",
            "next_attempt_at",
            "updated_at",
        ]
    )
    return AttemptResult(delivery.state, retry_in)


def due_deliveries(*, now: datetime) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
