"""Presence of other agents and new customer replies without a reload (one cheap poll)."""

import re

import pytest
from django.test import Client, override_settings

from santacare.tickets.conversation import add_message
from santacare.tickets.models import Channel
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

# Presence lives in the shared cache (Redis in production), not in the database.
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def ticket(alice, alice_device, open_portal_ticket):
    return open_portal_ticket(alice, alice_device)


def live(ticket, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/desk/t/{ticket.tracking_number}/live/?{query}"


def poll_url(page: str) -> str:
    return re.search(r'id="live" hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")


def other_agent_client(name: str) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(AgentFactory(full_name=name))
    return client


def test_an_agent_sees_who_else_has_the_ticket_open(agent_client, ticket):
    other_agent_client("Olli Operaattori").get(f"/desk/t/{ticket.tracking_number}/")

    page = agent_client.get(f"/desk/t/{ticket.tracking_number}/").content.decode()

    assert "Olli Operaattori also has this ticket open." in page
    assert "Aino Agentti also has" not in page


def test_the_notice_comes_with_the_next_poll_when_another_agent_opens_it(agent_client, ticket):
    page = agent_client.get(f"/desk/t/{ticket.tracking_number}/").content.decode()
    assert agent_client.get(poll_url(page)).status_code == 204

    other_agent_client("Olli Operaattori").get(f"/desk/t/{ticket.tracking_number}/")
    response = agent_client.get(poll_url(page))

    assert response.status_code == 200
    assert "Olli Operaattori also has this ticket open." in response.content.decode()


def test_a_new_customer_reply_arrives_with_the_poll(agent_client, ticket, alice):
    page = agent_client.get(f"/desk/t/{ticket.tracking_number}/").content.decode()
    add_message(
        ticket, body="Laite käynnistyi uudelleen.", channel=Channel.PORTAL, author_contact=alice
    )

    response = agent_client.get(poll_url(page))

    text = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="beforeend:#messages"' in text
    assert "Laite käynnistyi uudelleen." in text
    assert "From the customer" in text
    # The next poll asks only for what came after it: nothing, so nothing to send.
    assert agent_client.get(poll_url(text)).status_code == 204


@pytest.mark.parametrize("after", ["x", "-1", "1" * 30, "1.5", "%00"])
def test_a_malformed_poll_is_a_clear_400(agent_client, ticket, after):
    response = agent_client.get(live(ticket, after=after))

    assert response.status_code == 400
    assert b"digits only" in response.content


def test_polling_a_missing_ticket_is_404(client, ticket):
    client.force_login(AgentFactory())
    assert client.get("/desk/t/SC-1000000/live/?after=0").status_code == 404


def test_a_poll_when_nothing_changed_costs_two_queries_after_the_login(
    agent_client, ticket, django_assert_num_queries
):
    page = agent_client.get(f"/desk/t/{ticket.tracking_number}/").content.decode()
    with override_settings(CACHES=LOCMEM):
        agent_client.get(poll_url(page))
        # session, user, the ticket, the newest messages
        with django_assert_num_queries(4):
            response = agent_client.get(poll_url(page))

    assert response.status_code == 204
    assert response.content == b""
