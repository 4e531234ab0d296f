"""Webhooks (issue 15): signed deliveries, sent from the job queue after the commit, retried with
backoff, every attempt logged; a failing endpoint never slows the desk."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from santacare.core.time import now
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from santacare.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from santacare.webhooks.sending import MAX_ATTEMPTS, backoff, deliver, due_deliveries
from tests.factories import UserFactory
from tests.support.mail import huey_immediate

pytestmark = pytest.mark.django_db


def open_for(contact, device):
    return open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            subject="Kytkin ei vastaa",
            description="Ei vastaa pingiin.",
            serial_number=device.serial_number,
        )
    ).ticket


def test_a_delivery_is_sent_after_the_commit_signed_and_retried_after_a_500(
    alice, alice_device, receiver, endpoint, django_capture_on_commit_callbacks
):
    endpoint(WebhookEvent.TICKET_OPENED)
    receiver.answers = [500]

    with django_capture_on_commit_callbacks() as callbacks:
        ticket = open_for(alice, alice_device)
        # Written in the request's transaction, nothing sent from inside it.
        delivery = WebhookDelivery.objects.get()
        assert receiver.received == []
    assert callbacks
    with huey_immediate():
        for callback in callbacks:
            callback()

    delivery.refresh_from_db()
    assert len(receiver.received) == 1
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    first = receiver.received[0]
    assert first.verified
    assert first.headers["x-santacare-event"] == "ticket.opened"
    body = json.loads(first.body)
    assert body["event"] == "ticket.opened"
    assert body["id"] == first.headers["x-santacare-delivery"] == str(delivery.uuid)
    assert body["data"]["ticket"]["tracking_number"] == ticket.tracking_number

    # Not due before its backoff; due after it.
    assert deliver(delivery.pk, now=now()) is None
    result = deliver(delivery.pk, now=delivery.next_attempt_at + timedelta(seconds=1))

    assert result is not None
    assert result.state == WebhookDelivery.State.DELIVERED
    assert len(receiver.received) == 2
    assert receiver.received[1].verified
    assert receiver.received[1].body == first.body
    assert receiver.received[1].headers["x-santacare-delivery"] == str(delivery.uuid)
    attempts = list(delivery.attempt_log.values_list("status_code", "response"))
    assert [code for code, _ in attempts] == [500, 200]
    # The answer is logged, cut short.
    assert len(attempts[0][1]) == 500
    assert attempts[0][1].startswith("boom boom")


def test_a_signature_with_another_secret_does_not_verify(
    alice, alice_device, receiver, endpoint, django_capture_on_commit_callbacks
):
    endpoint(WebhookEvent.TICKET_OPENED)
    receiver.secret = "whsec_not-the-endpoints"
    open_for(alice, alice_device)

    deliver(WebhookDelivery.objects.get().pk, now=now())

    assert receiver.received[0].verified is False


def test_a_rolled_back_change_is_never_announced(
    alice, alice_device, receiver, endpoint, django_capture_on_commit_callbacks
):
    endpoint(WebhookEvent.TICKET_OPENED)

    def failing_request():
        with transaction.atomic():
            open_for(alice, alice_device)
            raise RuntimeError("the request failed after the ticket was written")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_request()

    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def test_only_subscribed_active_endpoints_get_the_event(alice, alice_device, receiver, endpoint):
    endpoint(WebhookEvent.STATUS_CHANGED)
    inactive = endpoint(WebhookEvent.TICKET_OPENED)
    inactive.is_active = False
    inactive.save()

    open_for(alice, alice_device)

    assert not WebhookDelivery.objects.filter(event=WebhookEvent.TICKET_OPENED).exists()


def test_backoff_doubles_and_the_last_attempt_marks_it_failed(
    alice, alice_device, receiver, endpoint
):
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    endpoint(WebhookEvent.TICKET_OPENED)
    open_for(alice, alice_device)
    delivery = WebhookDelivery.objects.get()
    receiver.answers = [503] * MAX_ATTEMPTS
    moment = now()
    for _ in range(MAX_ATTEMPTS):
        assert due_deliveries(now=moment) == [delivery.pk]
        deliver(delivery.pk, now=moment)
        moment += timedelta(hours=1)

    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.attempt_log.count() == MAX_ATTEMPTS
    assert due_deliveries(now=moment + timedelta(days=1)) == []


def test_an_unreachable_endpoint_is_an_attempt_with_its_error(alice, alice_device, endpoint):
    endpoint(WebhookEvent.TICKET_OPENED, url="http://127.0.0.1:9/nobody-listens")
    open_for(alice, alice_device)
    delivery = WebhookDelivery.objects.get()

    result = deliver(delivery.pk, now=now())

    assert result is not None
    assert result.retry_in == timedelta(seconds=30)
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert "refused" in attempt.error.lower()


def test_a_redirect_is_logged_not_followed(alice, alice_device, receiver, endpoint):
    endpoint(WebhookEvent.TICKET_OPENED)
    receiver.answers = [302]
    open_for(alice, alice_device)

    deliver(WebhookDelivery.objects.get().pk, now=now())

    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().last_status_code == 302


@pytest.mark.parametrize(
    "url",
    ["ftp://files.example/hook", "file:///etc/passwd", "javascript:alert(1)", "gopher://x", "hook"],
)
def test_webhook_urls_must_be_http_or_https(url):
    hook = WebhookEndpoint(name="x", url=url, events=[WebhookEvent.TICKET_OPENED])
    with pytest.raises(ValidationError) as error:
        hook.full_clean()
    assert "url" in error.value.message_dict


def test_an_endpoint_needs_a_known_event():
    hook = WebhookEndpoint(name="x", url="https://noc.example/hook", events=["ticket.deleted"])
    with pytest.raises(ValidationError) as error:
        hook.full_clean()
    assert "events" in error.value.message_dict


def test_admins_register_endpoints_and_read_the_attempts(alice, alice_device, receiver):
    admin = UserFactory(role="admin", is_staff=True, is_superuser=True)
    client = Client(headers={"accept-language": "en"})
    client.force_login(admin)

    refused = client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {
            "name": "NOC",
            "url": "ftp://noc.example/",
            "events": ["ticket.opened"],
            "is_active": "on",
        },
    )
    created = client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"name": "NOC", "url": receiver.url, "events": ["ticket.opened"], "is_active": "on"},
    )

    assert refused.status_code == 200
    assert "Enter an http:// or https:// address." in refused.text
    assert created.status_code == 302
    hook = WebhookEndpoint.objects.get()
    assert hook.events == ["ticket.opened"]
    assert hook.secret.startswith("whsec_")
    receiver.secret = hook.secret
    receiver.answers = [500]
    open_for(alice, alice_device)
    delivery = WebhookDelivery.objects.get()
    deliver(delivery.pk, now=now())

    page = client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert "boom boom" in page.text
    assert client.get("/admin/webhooks/webhookdelivery/").status_code == 200
    assert client.get(f"/admin/webhooks/webhookendpoint/{hook.pk}/change/").status_code == 200

    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.FAILED)
    client.post(
        "/admin/webhooks/webhookdelivery/",
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 0


def test_an_endpoint_switched_off_gets_no_more_attempts(alice, alice_device, receiver, endpoint):
    hook = endpoint(WebhookEvent.TICKET_OPENED)
    open_for(alice, alice_device)
    delivery = WebhookDelivery.objects.get()
    WebhookEndpoint.objects.filter(pk=hook.pk).update(is_active=False)

    assert deliver(delivery.pk, now=now()) is None
    assert due_deliveries(now=now()) == []
    assert receiver.received == []
