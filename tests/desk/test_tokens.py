"""An agent's own API tokens in the desk: shown once, revoked by their owner only."""

import pytest

from santacare.customers.models import ApiToken
from santacare.customers.tokens import LAST_USED_STEP, issue_token, token_for_key
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_agent_creates_a_token_of_their_own(agent_client, agent):
    created = agent_client.post("/desk/api-tokens/", {"name": "Nagios", "days": "90"})

    key = created.context["new_key"]
    assert created["Cache-Control"] == "no-store"
    assert token_for_key(key).user == agent
    assert ApiToken.objects.get().name == "Nagios"
    assert key not in agent_client.get("/desk/api-tokens/").content.decode()


def test_an_agent_cannot_revoke_a_colleagues_token(agent_client):
    token, key = issue_token(name="Colleague's script", user=AgentFactory())

    assert agent_client.post(f"/desk/api-tokens/{token.pk}/revoke/").status_code == 404
    assert token_for_key(key) is not None


def test_a_customer_gets_no_desk_token_page(client, alice):

    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    client.force_login(alice.user)

    assert client.get("/desk/api-tokens/").status_code == 403


def test_a_token_records_its_last_use_to_the_minute_without_a_write_per_request(
    agent, django_assert_num_queries
):
    token, key = issue_token(name="Poller", user=agent)

    first = token_for_key(key)
    token.refresh_from_db()
    assert token.last_used_at == first.last_used_at is not None
    with django_assert_num_queries(1):  # the look-up only: used less than a minute ago
        token_for_key(key)

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first.last_used_at - LAST_USED_STEP)
    token_for_key(key)
    token.refresh_from_db()
    assert token.last_used_at > first.last_used_at
