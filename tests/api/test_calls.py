"""The phone system's API (R7): call events in Zammad's generic-CTI style and the caller lookup.

Contract tests: every answer is one the schema declares, bad input gets a clear 4xx, and a
customer's token never reaches the callers of every company (R11). Run on SQLite and PostgreSQL.
"""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from santacare.core.time import now
from santacare.customers.tokens import issue_token
from santacare.telephony.models import Call
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from santacare.tickets.status import move_ticket
from tests.desk.conftest import OFFICE_HOURS
from tests.factories import AgentFactory, ContactFactory, DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def switchboard():
    """The phone system's integration token: an agent-scope token."""
    user = AgentFactory(email="pbx@santacare.example", full_name="Switchboard")
    return issue_token(name="Switchboard", user=user)[1]


@pytest.fixture
def aino():
    return AgentFactory(
        email="aino@santacare.example", full_name="Aino Agentti", phone_extension="201"
    )


@pytest.fixture
def caller(alice):
    alice.phone = "040 111 2222"
    alice.save()
    return alice


def post_event(client, token, **fields):
    body = {"event": "newCall", "callId": "c-1", "direction": "in", "to": "+358 9 4242 0000"}
    return client.post(
        "/api/v1/calls/events",
        data=json.dumps(body | fields),
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )


def lookup(client, token, number):
    return client.get(
        "/api/v1/calls/lookup",
        {"number": number},
        headers={"authorization": f"Bearer {token}"},
    )


def test_r7_a_call_rings_is_answered_and_hung_up(client, switchboard, caller, aino):
    with time_machine.travel(OFFICE_HOURS, tick=False) as clock:
        ringing = post_event(client, switchboard, **{"from": "0401112222"}, extension="201")
        clock.shift(timedelta(seconds=12))
        answered = post_event(client, switchboard, event="answer", extension="201")
        clock.shift(timedelta(minutes=4, seconds=3))
        ended = post_event(client, switchboard, event="hangup", cause="normalClearing")

    assert ringing.status_code == 201
    assert ringing.json()["number"] == "+358401112222"
    assert ringing.json()["state"] == "ringing"
    assert answered.status_code == 200
    assert answered.json()["answered_by"] == "aino@santacare.example"
    assert ended.status_code == 200
    assert ended.json() | {"started_at": None} == {
        "call_id": "c-1",
        "state": "ended",
        "direction": "in",
        "number": "+358401112222",
        "started_at": None,
        "answered_at": ended.json()["answered_at"],
        "ended_at": ended.json()["ended_at"],
        "duration_seconds": 243,
        "answered_by": "aino@santacare.example",
        "ticket": None,
        "replayed": False,
    }
    call = Call.objects.get(call_id="c-1")
    assert call.contact == caller
    assert call.hangup_cause == "normalClearing"


def test_r7_a_replayed_event_changes_nothing_and_says_so(client, switchboard, caller, aino):
    post_event(client, switchboard, **{"from": "+358401112222"}, extension="201")
    first = post_event(client, switchboard, event="answer", extension="201")
    again = post_event(client, switchboard, event="answer", extension="999")
    new_again = post_event(client, switchboard, **{"from": "+358401112222"}, extension="201")

    assert first.json()["replayed"] is False
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["answered_at"] == first.json()["answered_at"]
    assert new_again.status_code == 200
    assert new_again.json()["replayed"] is True
    assert Call.objects.get().extension == "201"


def test_events_for_an_unknown_call_id_are_404(client, switchboard):
    for event in ("answer", "hangup", "ringing"):
        response = post_event(client, switchboard, event=event, callId="never-started")
        if event == "ringing":
            # "ringing" for a new id starts the call, like newCall.
            assert response.status_code == 201
            continue
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert (problem["code"], problem["status"]) == ("unknown_call", 404)
        assert problem["type"].endswith(":unknown_call")
        assert "newCall" in problem["detail"]


def test_an_answer_after_the_hang_up_is_a_conflict(client, switchboard):
    post_event(client, switchboard, **{"from": "0401112222"})
    post_event(client, switchboard, event="hangup")

    response = post_event(client, switchboard, event="answer", extension="201")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Call.objects.get().answered_at is None


def test_a_known_call_id_with_other_numbers_is_a_conflict(client, switchboard):
    post_event(client, switchboard, **{"from": "0401112222"})

    response = post_event(client, switchboard, **{"from": "0509998888"})

    assert response.status_code == 409
    assert Call.objects.get().from_number == "0401112222"


@pytest.mark.parametrize(
    "number", ["DROP TABLE", "+358 40 <script>", "040;111", "1" * 41, "mailto:x@y"]
)
def test_a_number_that_is_not_a_phone_number_is_422(client, switchboard, number):
    response = post_event(client, switchboard, **{"from": number})

    assert response.status_code == 422
    assert not Call.objects.exists()


def test_a_withheld_number_is_a_call_without_a_caller(client, switchboard):
    response = post_event(client, switchboard, **{"from": "anonymous"}, extension="201")

    assert response.status_code == 201
    assert response.json()["number"] == ""
    assert Call.objects.get().contact is None


def test_bad_call_ids_and_events_are_422(client, switchboard):
    assert post_event(client, switchboard, callId="").status_code == 422
    assert post_event(client, switchboard, callId="x" * 251).status_code == 422
    assert post_event(client, switchboard, event="transfer").status_code == 422
    assert post_event(client, switchboard, direction="sideways").status_code == 422


def test_r11_a_customers_token_may_not_post_events_or_look_up_callers(client, alice, caller):
    token = issue_token(name="Alice NMS", contact=alice)[1]

    event = post_event(client, token, **{"from": "0401112222"})
    found = lookup(client, token, "0401112222")

    assert event.status_code == 403
    assert found.status_code == 403
    assert "Alice" not in found.text
    assert not Call.objects.exists()


def test_no_token_is_401(client):
    assert (
        client.post("/api/v1/calls/events", {}, content_type="application/json").status_code == 401
    )
    assert client.get("/api/v1/calls/lookup", {"number": "0401112222"}).status_code == 401


def test_r7_lookup_finds_contact_company_devices_and_open_tickets(
    client, switchboard, caller, alice_device, charlie, charlie_device
):
    ticket = _open_ticket(caller, alice_device)
    closed = _open_ticket(caller, alice_device)
    move_ticket(closed, closed.Status.CLOSED)
    charlie.phone = "+358 40 999 0000"
    charlie.save()

    response = lookup(client, switchboard, "+358 40 111 2222")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "+358401112222"
    assert [c["email"] for c in body["contacts"]] == [caller.email]
    assert body["contacts"][0]["company"] == "Alice Oy"
    assert [d["serial_number"] for d in body["devices"]] == [alice_device.serial_number]
    assert [t["tracking_number"] for t in body["open_tickets"]] == [ticket.tracking_number]
    assert "Charlie" not in response.text


def test_lookup_of_an_unknown_number_is_empty_and_a_bad_one_422(client, switchboard):
    unknown = lookup(client, switchboard, "+358 50 000 0000")
    bad = lookup(client, switchboard, "not a number")
    too_short = lookup(client, switchboard, "1")

    assert unknown.status_code == 200
    assert unknown.json()["contacts"] == []
    assert bad.status_code == 422
    assert bad.json()["code"] == "bad_number"
    assert too_short.status_code == 422


def test_lookup_costs_the_same_for_one_or_many_matches(client, switchboard, caller):
    """Token and the throttle's counter, then contacts, devices, open tickets: a fixed number
    of queries whether one contact or four share the number. (The token's last use is written
    at most once a minute: the first call writes it, so both measured calls come after it.)"""
    lookup(client, switchboard, "0401112222")
    with CaptureQueriesContext(connection) as one:
        assert len(lookup(client, switchboard, "0401112222").json()["contacts"]) == 1
    for n in range(3):
        ContactFactory(customer=caller.customer, phone="+358401112222", email=f"c{n}@alice.example")
        DeviceFactory(customer=caller.customer)
    with CaptureQueriesContext(connection) as four:
        response = lookup(client, switchboard, "0401112222")
    assert len(response.json()["contacts"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_call_events_are_in_the_published_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    events = schema["paths"]["/api/v1/calls/events"]["post"]
    assert set(events["responses"]) >= {"200", "201", "403", "404", "409", "422"}
    assert "200" in schema["paths"]["/api/v1/calls/lookup"]["get"]["responses"]


def _open_ticket(contact, device):
    return open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            subject="Kytkin ei vastaa",
            description="Ei vastaa pingiin.",
            serial_number=device.serial_number,
            received_at=now(),
        )
    ).ticket
