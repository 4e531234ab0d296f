"""The list pages' searches cost a fixed number of queries, however many tickets there are
(issue 12: flat from 10,000 to 1,000,000 tickets), on SQLite and PostgreSQL alike; and the
API's `q` searches with the same predicate as the desk and the portal (tickets/search.py)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from santacare.customers.tokens import issue_token
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _open(contact, device, subject):
    return open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            subject=subject,
            description="Tuuletin pitää ääntä.",
            serial_number=device.serial_number,
        )
    ).ticket


@pytest.fixture
def agent_client():
    client = Client(headers={"accept-language": "en"})
    client.force_login(AgentFactory())
    return client


@pytest.fixture
def alice_client(alice):
    alice.user = UserFactory(email=alice.email, full_name=alice.name)
    alice.save(update_fields=["user"])
    client = Client(headers={"accept-language": "en"})
    client.force_login(alice.user)
    return client


def _count(fetch) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_desk_search_page_costs_the_same_with_more_matches(agent_client, alice, alice_device):
    for number in range(3):
        _open(alice, alice_device, f"Kytkin {number} ei vastaa")
    few = _count(lambda: agent_client.get("/desk/", {"q": "kytkin"}))
    for number in range(12):
        _open(alice, alice_device, f"Kytkin {number + 3} ei vastaa")

    assert _count(lambda: agent_client.get("/desk/", {"q": "kytkin"})) == few


def test_the_portal_search_costs_the_same_with_more_matches(alice_client, alice, alice_device):
    def search():
        return alice_client.get("/portal/tickets/", {"q": "kytkin", "status": "all"})

    for number in range(3):
        _open(alice, alice_device, f"Kytkin {number} ei vastaa")
    few = _count(search)
    for number in range(12):
        _open(alice, alice_device, f"Kytkin {number + 3} ei vastaa")

    assert _count(search) == few


def test_the_api_list_searches_as_the_portal_does(
    client, alice, alice_device, charlie, charlie_device
):
    switch = _open(alice, alice_device, "Kytkin käynnistyy uudelleen")
    _open(alice, alice_device, "Reititin jumittaa")
    _open(charlie, charlie_device, "Kytkin Charlien toimistolla")
    add_message(
        switch,
        body="Takuu umpeutunut.",
        channel=Channel.DESK,
        author_user=AgentFactory(),
        internal=True,
    )
    token = issue_token(name="Alice NMS", contact=alice)[1]
    bearer = {"authorization": f"Bearer {token}"}
    agent_token = issue_token(name="Monitoring", user=AgentFactory())[1]

    def numbers(key, q):
        response = client.get(
            "/api/v1/tickets", {"q": q}, headers={"authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200
        return [ticket["tracking_number"] for ticket in response.json()]

    # Charlie's switch is not Alice's; the internal note is the desk's (R4).
    assert numbers(token, "kytkin") == [switch.tracking_number]
    assert numbers(token, "takuu") == []
    assert numbers(agent_token, "takuu") == [switch.tracking_number]
    one = _count(lambda: client.get("/api/v1/tickets", {"q": "kytkin"}, headers=bearer))
    _open(alice, alice_device, "Kytkin taas")
    _open(alice, alice_device, "Kytkin vielä kerran")
    assert _count(lambda: client.get("/api/v1/tickets", {"q": "kytkin"}, headers=bearer)) == one
