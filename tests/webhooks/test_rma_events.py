"""An RMA step reaches the endpoints that asked for it (rma/services.py, R13)."""

import json

import pytest

from santacare.webhooks.models import WebhookDelivery, WebhookEvent
from tests.rma.conftest import (  # noqa: F401 - the RMA tests' fixtures
    agent,
    alice_device,
    at,
    cisco,
    clock,
    deliver,
    open_rma,
    ticket,
)

pytestmark = pytest.mark.django_db


def test_r13_rma_steps_are_sent_with_old_and_new(open_rma, agent, clock, endpoint):  # noqa: F811
    endpoint(WebhookEvent.RMA_STATUS_CHANGED)

    rma = open_rma()
    opened_as = rma.status
    deliver(rma, agent, clock, shipped=at(1, 14), delivered=at(2, 10))
    rma.refresh_from_db()

    payloads = [
        json.loads(delivery.body)["data"]
        for delivery in WebhookDelivery.objects.filter(
            event=WebhookEvent.RMA_STATUS_CHANGED
        ).order_by("id")
    ]
    steps = [(p["old"], p["new"]) for p in payloads]
    assert steps[0] == ("", opened_as)
    assert steps[-1][1] == rma.status
    # A chain: each step starts where the one before ended; no step is sent twice.
    assert all(before[1] == after[0] for before, after in zip(steps, steps[1:], strict=False))
    assert len(steps) == len(set(steps)) >= 3
    assert payloads[0]["part_number"] == "C9300-48P-E"
    assert payloads[0]["ticket"]["tracking_number"] == rma.ticket.tracking_number
