"""The API's contract: problem details in the caller's language, declared answers, tokens that
expire and are revoked, per-token throttling, and the agents' operations through the services."""

import json
from datetime import timedelta

import pytest

from santacare.api.views import api
from santacare.customers.models import Language
from santacare.customers.tokens import issue_token, revoke_token
from santacare.outbox.models import OutboundMail
from santacare.rma.services import open_rma
from santacare.sla.services import seed_default_targets
from santacare.tickets.models import Event, Message, Priority, Ticket
from tests.factories import AgentFactory, VendorFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def call(client, method, path, token=None, body=None, **headers):
    headers = {name.replace("_", "-"): value for name, value in headers.items()}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return getattr(client, method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def alice_token(alice):
    return issue_token(name="Alice NMS", contact=alice)[1]


@pytest.fixture
def agent():
    return AgentFactory(email="aino.agent@santacare.example")


@pytest.fixture
def agent_token(agent):
    return issue_token(name="Desk script", user=agent)[1]


@pytest.fixture
def number(client, alice_device, alice_token):
    body = {"serial_number": alice_device.serial_number, "description": "Portti 12 ei linkitä."}
    response = call(client, "post", "/tickets", alice_token, body)
    assert response.status_code == 201, response.content
    return response.json()["tracking_number"]


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(code)
    assert body["title"]
    assert body["detail"]
    return body


# --- problem details and their language -------------------------------------------------------


def test_no_token_is_a_401_problem_in_finnish_by_default(client):
    body = assert_problem(call(client, "get", "/tickets"), 401, "unauthorized")
    assert "API-avain" in body["detail"]


def test_the_callers_accept_language_words_the_problem(client):
    response = call(client, "get", "/tickets", accept_language="en-GB,en;q=0.9,fi;q=0.5")
    body = assert_problem(response, 401, "unauthorized")
    assert body["title"] == "Unauthorised"
    assert response["Content-Language"] == "en"


def test_r14_without_accept_language_the_token_owners_language_words_it(client, alice, number):
    alice.language = Language.ENGLISH
    alice.save()
    token = issue_token(name="English NMS", contact=alice)[1]

    body = assert_problem(call(client, "get", "/tickets/SC-000000-0", token), 404, "not_found")

    assert body["detail"] == "Not found, or not visible to your API token."


def test_schema_violations_are_a_422_problem_listing_the_fields(client, alice_token):
    response = call(
        client, "post", "/tickets", alice_token, {"priority": "P9"}, accept_language="en"
    )

    body = assert_problem(response, 422, "invalid")
    assert {tuple(error["loc"]) for error in body["errors"]} >= {
        ("body", "payload", "description"),
        ("body", "payload", "priority"),
    }


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_r4_an_empty_message_is_refused_by_the_schema(client, alice_token, number, text):
    response = call(client, "post", f"/tickets/{number}/messages", alice_token, {"body": text})

    assert_problem(response, 422, "invalid")
    body_schema = api.get_openapi_schema(path_prefix="/api/v1")["components"]["schemas"]
    assert body_schema["MessageIn"]["properties"]["body"]["minLength"] == 1
    assert body_schema["MessageIn"]["properties"]["body"]["pattern"] == r"\S"


def test_intake_refusal_is_a_422_problem_with_its_outcome(client, alice_token, charlie_device):
    body = {"serial_number": charlie_device.serial_number, "description": "Ei toimi"}
    problem = assert_problem(
        call(client, "post", "/tickets", alice_token, body), 422, "unknown_serial"
    )
    assert problem["outcome"] == "refused"
    assert problem["reason"] == "unknown_serial"


def test_too_large_a_body_is_a_413_problem(client, alice_token, number, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"body": "x" * 20_000}

    assert_problem(
        call(client, "post", f"/tickets/{number}/messages", alice_token, body), 413, "too_large"
    )


def test_every_operation_declares_the_errors_it_can_give():
    """401, 422 and 429 for every operation with a token; 400 and 413 where there is a body;
    all of them may be problem+json (the handlers'), and 429 comes with its Retry-After."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = {str(status): answer for status, answer in operation["responses"].items()}
            declared = set(responses)
            assert {"401", "422", "429"} <= declared, (method, path)
            if method == "post":
                assert {"400", "413"} <= declared, (method, path)
            for status, answer in responses.items():
                if int(status) >= 400:
                    assert PROBLEM in answer["content"], (method, path, status)
            assert "Retry-After" in responses["429"]["headers"]


# --- tokens -----------------------------------------------------------------------------------


def test_an_expired_token_is_refused(client, alice, time_machine):
    token, key = issue_token(name="Short", contact=alice, lifetime=timedelta(days=30))
    assert call(client, "get", "/tickets", key).status_code == 200

    time_machine.move_to(token.expires_at + timedelta(seconds=1))

    assert_problem(call(client, "get", "/tickets", key), 401, "unauthorized")


def test_a_revoked_token_is_refused_and_only_its_owner_revokes_it(client, alice, charlie):
    token, key = issue_token(name="NMS", contact=alice)

    assert revoke_token(token.pk, contact=charlie) is None
    assert call(client, "get", "/tickets", key).status_code == 200
    assert revoke_token(token.pk, contact=alice).revoked_at is not None

    assert_problem(call(client, "get", "/tickets", key), 401, "unauthorized")


def test_throttling_is_per_token_with_retry_after(client, alice, settings):
    settings.API_THROTTLE_RATE = "3/m"
    first = issue_token(name="Busy", contact=alice)[1]
    second = issue_token(name="Quiet", contact=alice)[1]

    answers = [call(client, "get", "/tickets", first).status_code for _ in range(4)]
    throttled = call(client, "get", "/tickets", first)

    assert answers == [200, 200, 200, 429]
    body = assert_problem(throttled, 429, "throttled")
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled["Retry-After"] in body["detail"]
    assert call(client, "get", "/tickets", second).status_code == 200


# --- scopes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/queues", None),
        ("get", "/queues/all/tickets", None),
        ("post", "/tickets/{n}/assignment", {"assignee": None}),
        ("post", "/tickets/{n}/priority", {"priority": "P2"}),
        ("post", "/tickets/{n}/notes", {"body": "Sisäinen"}),
        ("get", "/tickets/{n}/sla", None),
    ],
)
def test_a_customers_token_gets_403_on_the_agents_operations(
    client, alice_token, number, method, path, body
):
    response = call(client, method, path.format(n=number), alice_token, body)

    assert_problem(response, 403, "agents_only")


def test_r4_internal_notes_by_api_reach_agents_only_and_mail_nobody(
    client, alice_token, agent_token, number
):
    mails = OutboundMail.objects.count()
    note = call(
        client, "post", f"/tickets/{number}/notes", agent_token, {"body": "Vaihdetaan kytkin."}
    )

    assert note.status_code == 201
    assert note.json()["internal"] is True
    assert OutboundMail.objects.count() == mails
    agent_view = call(client, "get", f"/tickets/{number}/messages", agent_token).json()
    customer_view = call(client, "get", f"/tickets/{number}/messages", alice_token).json()
    assert "Vaihdetaan kytkin." in [m["body"] for m in agent_view]
    assert "Vaihdetaan kytkin." not in [m["body"] for m in customer_view]
    assert all(not m["internal"] for m in customer_view)


def test_r4_r5_an_agents_public_reply_stops_the_response_clock(client, agent_token, number):
    reply = call(client, "post", f"/tickets/{number}/messages", agent_token, {"body": "Katsotaan."})

    assert reply.status_code == 201
    ticket = Ticket.objects.get(tracking_number=number)
    assert ticket.first_response_at is not None
    assert ticket.messages.filter(direction=Message.Direction.OUTBOUND).count() == 1


def test_assignment_priority_and_status_go_through_the_services(client, agent, agent_token, number):
    assigned = call(
        client,
        "post",
        f"/tickets/{number}/assignment",
        agent_token,
        {"assignee": agent.email.upper()},
    )
    raised = call(client, "post", f"/tickets/{number}/priority", agent_token, {"priority": "P2"})
    resolved = call(
        client, "post", f"/tickets/{number}/status", agent_token, {"status": "resolved"}
    )

    assert assigned.json()["assignee"] == agent.email
    assert raised.json()["priority"] == "P2"
    assert resolved.json()["status"] == "resolved"
    ticket = Ticket.objects.get(tracking_number=number)
    assert ticket.resolved_at is not None  # move_ticket keeps the R5 timestamps
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {Event.Kind.ASSIGNED, Event.Kind.PRIORITY_CHANGED, Event.Kind.STATUS_CHANGED} <= kinds
    assert ticket.priority == Priority.P2


def test_assigning_to_someone_who_is_not_an_agent_is_a_422(client, alice, agent_token, number):
    response = call(
        client, "post", f"/tickets/{number}/assignment", agent_token, {"assignee": alice.email}
    )

    assert_problem(response, 422, "unknown_agent")


def test_a_customer_resolves_and_reopens_but_does_not_reopen_a_working_ticket(
    client, alice_token, number
):
    reopen_early = call(
        client, "post", f"/tickets/{number}/status", alice_token, {"status": "in_progress"}
    )
    waiting = call(
        client, "post", f"/tickets/{number}/status", alice_token, {"status": "waiting_on_customer"}
    )
    resolved = call(
        client, "post", f"/tickets/{number}/status", alice_token, {"status": "resolved"}
    )
    reopened = call(
        client, "post", f"/tickets/{number}/status", alice_token, {"status": "in_progress"}
    )

    assert_problem(reopen_early, 409, "not_reopenable")
    assert_problem(waiting, 403, "not_allowed")
    assert resolved.status_code == 200
    assert reopened.json()["status"] == "in_progress"


def test_queues_count_and_list_by_queue(client, agent, agent_token, number):
    queues = {q["queue"]: q["count"] for q in call(client, "get", "/queues", agent_token).json()}
    assert queues["new"] == queues["unassigned"] == queues["all"] == 1
    assert queues["mine"] == 0

    call(client, "post", f"/tickets/{number}/assignment", agent_token, {"assignee": agent.email})
    mine = call(client, "get", "/queues/mine/tickets", agent_token).json()
    unknown = call(client, "get", "/queues/nonsense/tickets", agent_token)

    assert [t["tracking_number"] for t in mine["items"]] == [number]
    assert mine["next_cursor"] is None
    assert_problem(unknown, 404, "not_found")


def test_r5_sla_clocks_with_due_times_and_states(client, agent_token, number):
    seed_default_targets()
    sla = call(client, "get", f"/tickets/{number}/sla", agent_token).json()

    clocks = {clock["clock"]: clock for clock in sla["clocks"]}
    assert set(clocks) >= {"response", "restore"}
    assert clocks["response"]["state"] == "running"
    assert clocks["response"]["due"] < clocks["restore"]["due"]


def test_r13_rma_state_for_the_customer_and_404_for_another_company(
    client, agent, alice_device, alice_token, charlie
):
    fault = {
        "serial_number": alice_device.serial_number,
        "description": "Virtalähde on kuollut.",
        "hardware_fault": True,
        "delivery_address": "Alice Oy\nTestikatu 1\n00100 Helsinki",
        "delivery_contact": "Alice Admin, +358 40 123 4567",
    }
    number = call(client, "post", "/tickets", alice_token, fault).json()["tracking_number"]
    ticket = Ticket.objects.get(tracking_number=number)
    open_rma(ticket, by=agent, part_number="C9300-48P-E", vendor=VendorFactory())
    charlies = issue_token(name="Charlie", contact=charlie)[1]

    rmas = call(client, "get", f"/tickets/{number}/rmas", alice_token).json()

    assert [rma["status"] for rma in rmas] == ["requested"]
    assert_problem(call(client, "get", f"/tickets/{number}/rmas", charlies), 404, "not_found")


def test_r6_the_at_risk_queue_holds_tickets_past_their_warning_only(
    client, agent_token, number, time_machine
):
    seed_default_targets()
    before = {q["queue"]: q["count"] for q in call(client, "get", "/queues", agent_token).json()}

    time_machine.move_to(Ticket.objects.get().received_at + timedelta(days=14))
    after = {q["queue"]: q["count"] for q in call(client, "get", "/queues", agent_token).json()}
    listed = call(client, "get", "/queues/at_risk/tickets", agent_token).json()["items"]

    assert before["at_risk"] == 0
    assert after["at_risk"] == 1
    assert [ticket["tracking_number"] for ticket in listed] == [number]
