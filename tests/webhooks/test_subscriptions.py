"""Which events anyone listens to is read once per process, not on every ticket change
(issue 12), without ever sending to an endpoint from a stale copy."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from santacare.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from santacare.webhooks.services import queue_webhooks, subscribed_events

pytestmark = pytest.mark.django_db


def no_data() -> dict:
    raise AssertionError("the payload is built only for a subscriber")


def test_an_event_nobody_subscribed_to_costs_no_query_once_read(endpoint):
    endpoint(WebhookEvent.SLA_BREACHED)
    subscribed_events()

    with CaptureQueriesContext(connection) as queries:
        assert queue_webhooks(WebhookEvent.TICKET_OPENED, no_data) == []

    assert len(queries) == 0


def test_a_new_endpoint_is_heard_at_once(endpoint):
    assert WebhookEvent.TICKET_OPENED not in subscribed_events()
    hook = endpoint(WebhookEvent.TICKET_OPENED)

    [delivery] = queue_webhooks(WebhookEvent.TICKET_OPENED, lambda: {"n": 1})

    assert delivery.endpoint == hook


def test_a_deleted_or_switched_off_endpoint_gets_nothing_from_the_copy(endpoint):
    hook = endpoint(WebhookEvent.TICKET_OPENED)
    other = endpoint(WebhookEvent.TICKET_OPENED)
    assert WebhookEvent.TICKET_OPENED in subscribed_events()
    # As another process would change them: no signal reaches this process's copy.
    WebhookEndpoint.objects.filter(pk=hook.pk).update(is_active=False)
    WebhookEndpoint.objects.filter(pk=other.pk)._raw_delete(connection.alias)

    assert WebhookEvent.TICKET_OPENED in subscribed_events()  # the copy is stale …
    assert queue_webhooks(WebhookEvent.TICKET_OPENED, no_data) == []  # … and not trusted
    assert not WebhookDelivery.objects.exists()
