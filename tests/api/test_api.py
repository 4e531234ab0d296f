"""The API: the same intake rules as every channel (R1, R8, R9, R10, R11), one company's data."""

import json

import pytest
from django.core.management import call_command

from santacare.customers.models import ApiToken
from santacare.customers.tokens import issue_token
from santacare.installbase.models import Contract
from santacare.tickets.models import Channel, Ticket
from tests.factories import AgentFactory, ContactFactory, ContractFactory, DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_token(alice):
    return issue_token(name="Alice NMS", contact=alice)[1]


@pytest.fixture
def charlie_token(charlie):
    return issue_token(name="Charlie NMS", contact=charlie)[1]


def call(client, method, path, token, body=None):
    return getattr(client, method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )


def open_via_api(client, token, **fields):
    body = {"serial_number": "FOC2233X0AB", "description": "Portti 12 ei linkitä."} | fields
    return call(client, "post", "/tickets", token, body)


def test_r2_api_ticket_is_an_ordinary_ticket(client, alice, alice_device, alice_token):
    response = open_via_api(client, alice_token)

    assert response.status_code == 201
    body = response.json()
    assert body["outcome"] == "created"
    ticket = Ticket.objects.get(tracking_number=body["tracking_number"])
    assert ticket.channel == Channel.API
    assert ticket.contract_number == alice_device.contract.number  # R3 snapshot
    assert body["tracking_number"] in body["message"]


def test_r9_api_missing_delivery_details_are_listed(client, alice_device, alice_token):
    response = open_via_api(client, alice_token, hardware_fault=True)

    assert response.status_code == 201
    assert response.json()["missing"] == ["delivery_address", "delivery_contact"]


def test_r8_api_critical_request_must_be_phoned_in(client, alice_device, alice_token, settings):
    response = open_via_api(client, alice_token, priority="P1")

    assert response.json()["outcome"] == "must_call"
    assert settings.SUPPORT_PHONE in response.json()["message"]


def test_r10_api_managed_services_is_redirected(client, alice, alice_token):
    managed = ContractFactory(
        customer=alice.customer, product=Contract.Product.MANAGED_SERVICES, service_level=None
    )
    DeviceFactory(customer=alice.customer, contract=managed, serial_number="FGT60FTK20000001")

    response = open_via_api(client, alice_token, serial_number="FGT60FTK20000001")

    assert response.status_code == 422
    assert response.json()["outcome"] == "redirected"
    assert Ticket.objects.count() == 0


def test_r1_api_another_companys_serial_is_unknown(client, alice_token, charlie_device):
    response = open_via_api(client, alice_token, serial_number=charlie_device.serial_number)

    assert response.status_code == 422
    assert response.json()["reason"] == "unknown_serial"


def test_r11_token_of_a_contact_no_longer_technical_stops_working(client, alice, alice_token):
    alice.is_technical = False
    alice.save()

    response = call(client, "get", "/tickets", alice_token)

    assert response.status_code == 401


def test_api_without_or_with_a_wrong_token_is_refused(client, alice_token):
    assert client.get("/api/v1/tickets").status_code == 401
    assert call(client, "get", "/tickets", alice_token + "x").status_code == 401
    assert call(client, "get", "/tickets", "x" * 5000).status_code == 401


def test_api_tokens_are_stored_only_as_hashes(alice_token):
    assert not ApiToken.objects.filter(key_hash=alice_token).exists()
    assert ApiToken.objects.get().key_prefix == alice_token[:12]


def test_charlie_gets_404_for_alices_ticket(client, alice_device, alice_token, charlie_token):
    number = open_via_api(client, alice_token).json()["tracking_number"]

    assert call(client, "get", f"/tickets/{number}", charlie_token).status_code == 404
    assert call(client, "get", f"/tickets/{number}/messages", charlie_token).status_code == 404
    reply = call(client, "post", f"/tickets/{number}/messages", charlie_token, {"body": "hi"})
    assert reply.status_code == 404
    assert call(client, "get", "/tickets", charlie_token).json() == []
    assert call(client, "get", "/devices", charlie_token).json() == []


def test_r12_mistyped_tracking_number_is_not_found(client, alice_device, alice_token):
    number = open_via_api(client, alice_token).json()["tracking_number"]
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)

    assert call(client, "get", f"/tickets/{number.lower()}", alice_token).status_code == 200
    assert call(client, "get", f"/tickets/{typo}", alice_token).status_code == 404


def test_r4_api_reply_and_internal_notes_stay_internal(client, alice_device, alice_token):
    number = open_via_api(client, alice_token).json()["tracking_number"]
    ticket = Ticket.objects.get(tracking_number=number)
    from santacare.tickets.conversation import add_message

    add_message(
        ticket, body="Sisäinen", channel=Channel.PHONE, author_user=AgentFactory(), internal=True
    )

    reply = call(client, "post", f"/tickets/{number}/messages", alice_token, {"body": "Lisätieto"})
    messages = call(client, "get", f"/tickets/{number}/messages", alice_token).json()

    assert reply.status_code == 201
    assert [m["body"] for m in messages] == ["Portti 12 ei linkitä.", "Lisätieto"]


@pytest.mark.parametrize(
    "body",
    [
        {"serial_number": "FOC2233X0AB"},  # no description
        {"serial_number": "FOC2233X0AB", "description": "x", "priority": "P9"},
        {"serial_number": "A" * 65, "description": "x"},
        {"serial_number": "FOC2233X0AB", "description": "x" * 100_001},
    ],
)
def test_bad_input_gets_a_clear_422(client, alice_device, alice_token, body):
    response = call(client, "post", "/tickets", alice_token, body)

    assert response.status_code == 422
    assert "detail" in response.json()
    assert Ticket.objects.count() == 0


def test_bad_input_broken_json_is_a_400(client, alice_token):
    response = client.post(
        "/api/v1/tickets",
        data=b"{not json\xff",
        content_type="application/json",
        headers={"authorization": f"Bearer {alice_token}"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_agent_token_opens_for_a_named_contact(client, alice, alice_device):
    agent = AgentFactory()
    token = issue_token(name="Monitoring", user=agent)[1]

    without = open_via_api(client, token)
    opened = open_via_api(client, token, contact_email=alice.email)

    assert without.status_code == 422
    assert without.json()["code"] == "contact_required"
    assert opened.status_code == 201
    assert Ticket.objects.get().opened_by == agent


def test_r11_end_user_named_by_an_agent_token_is_refused(client, alice_device):
    end_user = ContactFactory(customer=alice_device.customer, is_technical=False)
    token = issue_token(name="Monitoring", user=AgentFactory())[1]

    response = open_via_api(client, token, contact_email=end_user.email)

    assert response.json()["reason"] == "not_technical_contact"


def test_openapi_document_is_served(client):
    document = client.get("/api/v1/openapi.json").json()

    assert "/api/v1/tickets" in document["paths"]


def test_api_token_command_prints_the_key_once(alice, capsys):
    call_command("api_token", alice.email, "--name", "NMS")

    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert raw.startswith("sct_")
    assert ApiToken.objects.get().contact == alice


def test_api_token_command_can_issue_a_token_that_never_expires(alice, capsys):
    call_command("api_token", alice.email, "--name", "NMS", "--days", "0")

    assert "never expires" in capsys.readouterr().out
    assert ApiToken.objects.get().expires_at is None
