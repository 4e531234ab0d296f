"""Only agents use the desk: a customer gets 403, an anonymous visitor the login page."""

import pytest

from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

DESK_PAGES = ["/desk/", "/desk/phone/", "/desk/phone/lookup/?q=FOC"]


@pytest.mark.parametrize("url", DESK_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", DESK_PAGES)
def test_r11_customer_user_gets_403(client, alice, url):
    user = UserFactory()
    alice.user = user
    alice.save()
    client.force_login(user)

    assert client.get(url).status_code == 403


def test_customer_cannot_see_a_ticket_or_change_it(client, alice, alice_device, open_portal_ticket):
    ticket = open_portal_ticket(alice, alice_device)
    user = UserFactory()
    alice.user = user
    alice.save()
    client.force_login(user)

    assert client.get(f"/desk/t/{ticket.tracking_number}/").status_code == 403
    response = client.post(f"/desk/t/{ticket.tracking_number}/status/", {"status": "closed"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_inactive_agent_is_not_an_agent(client):
    agent = AgentFactory(is_active=False)
    client.force_login(agent)

    response = client.get("/desk/")

    # A deactivated account's session no longer authenticates: it is an anonymous visitor.
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_state_changes_need_post(agent_client, alice, alice_device, open_portal_ticket):
    ticket = open_portal_ticket(alice, alice_device)

    response = agent_client.get(f"/desk/t/{ticket.tracking_number}/status/?status=closed")

    assert response.status_code == 405


def test_r14_desk_speaks_finnish_by_default_and_english_on_request(client):
    agent = AgentFactory()
    client.force_login(agent)

    assert "Soittajan puhelinnumero" in client.get("/desk/phone/").content.decode()
    english = client.get("/desk/phone/", headers={"accept-language": "en"}).content.decode()
    assert "Caller's phone number" in english.replace("&#x27;", "'")
