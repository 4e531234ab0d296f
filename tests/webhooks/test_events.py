"""Each event reaches the endpoints that asked for it, from its one writer: a status change
(tickets/status.py::move_ticket), a message (tickets/conversation.py::store_message), an SLA
warning and breach (sla/notifications.py::notify) and an RMA step (test_rma_events.py)."""

import json
from datetime import datetime

import pytest

from santacare.sla.notifications import sweep
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Ticket
from santacare.tickets.status import move_ticket
from santacare.webhooks.models import WebhookDelivery, WebhookEvent
from tests.factories import AgentFactory, CustomerFactory
from tests.sla.conftest import levels, make_ticket  # noqa: F401

pytestmark = pytest.mark.django_db


def payloads(event):
    return [
        json.loads(delivery.body)
        for delivery in WebhookDelivery.objects.filter(event=event).order_by("id")
    ]


@pytest.fixture
def portal_ticket(alice, alice_device):
    return open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=alice,
            subject="Kytkin ei vastaa",
            description="Ei vastaa pingiin.",
            serial_number=alice_device.serial_number,
        )
    ).ticket


def test_status_changes_are_sent_with_old_and_new(portal_ticket, endpoint):
    endpoint(WebhookEvent.STATUS_CHANGED)
    agent = AgentFactory(full_name="Aino Agentti")

    move_ticket(portal_ticket, Ticket.Status.IN_PROGRESS, by=agent)
    move_ticket(portal_ticket, Ticket.Status.IN_PROGRESS, by=agent)  # no change, no event

    (payload,) = payloads(WebhookEvent.STATUS_CHANGED)
    assert payload["data"]["old"] == "new"
    assert payload["data"]["new"] == "in_progress"
    assert payload["data"]["by"] == "Aino Agentti"
    assert payload["data"]["ticket"]["tracking_number"] == portal_ticket.tracking_number


def test_messages_are_sent_marked_public_or_internal(portal_ticket, alice, endpoint):
    endpoint(WebhookEvent.MESSAGE_ADDED)
    agent = AgentFactory()

    add_message(portal_ticket, body="Kiitos, katsomme.", channel=Channel.PORTAL, author_user=agent)
    add_message(
        portal_ticket,
        body="Asiakas soittaa.",
        channel=Channel.PORTAL,
        author_user=agent,
        internal=True,
    )
    add_message(portal_ticket, body="Toimii taas.", channel=Channel.PORTAL, author_contact=alice)

    sent = [p["data"]["message"] for p in payloads(WebhookEvent.MESSAGE_ADDED)]
    assert [(m["body"], m["visibility"], m["direction"]) for m in sent] == [
        ("Kiitos, katsomme.", "public", "outbound"),
        ("Asiakas soittaa.", "internal", "internal"),
        ("Toimii taas.", "public", "inbound"),
    ]


def test_the_opening_message_is_ticket_opened_not_message_added(portal_ticket, endpoint):
    # Subscribed before the ticket, so the opening would have been caught.
    assert not WebhookDelivery.objects.filter(event=WebhookEvent.MESSAGE_ADDED).exists()


def test_sla_warning_and_breach_are_sent_once_each(levels, endpoint):  # noqa: F811
    endpoint(WebhookEvent.SLA_WARNING, WebhookEvent.SLA_BREACHED)
    late = make_ticket(
        level=levels["basic"],
        received_at=datetime.fromisoformat("2026-06-22T08:00+03:00"),
        customer=CustomerFactory(),
    )

    sweep(now=datetime.fromisoformat("2026-06-22T10:30+03:00"))  # 80 % of the response time
    sweep(now=datetime.fromisoformat("2026-06-22T11:05+03:00"))  # breached
    sweep(now=datetime.fromisoformat("2026-06-22T12:00+03:00"))  # nothing new

    (warning,) = payloads(WebhookEvent.SLA_WARNING)
    (breach,) = payloads(WebhookEvent.SLA_BREACHED)
    assert warning["data"]["clock"] == breach["data"]["clock"] == "response"
    assert breach["data"]["ticket"]["tracking_number"] == late.tracking_number
