"""The portal's API tokens page (R11): a technical contact's own tokens, the key shown once."""

import pytest

from santacare.customers.models import ApiToken
from santacare.customers.tokens import hash_token, issue_token, token_for_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_r11_a_new_token_is_shown_once_and_stored_as_a_hash(alice_client, alice):
    created = alice_client.post("/portal/api-tokens/", {"name": "Zabbix", "days": "30"})

    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(contact=alice)
    key = created.context["new_key"]
    assert key in created.content.decode()
    assert token.key_hash == hash_token(key)
    assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 30
    again = alice_client.get("/portal/api-tokens/").content.decode()
    assert key not in again
    assert token.key_prefix in again


def test_a_token_needs_a_name_and_a_lifetime_we_offer(alice_client):
    response = alice_client.post("/portal/api-tokens/", {"name": "", "days": "3650"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "days"}
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token(alice_client, alice):
    token, key = issue_token(name="Zabbix", contact=alice)

    response = alice_client.post(f"/portal/api-tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert token_for_key(key) is None


def test_r12_charlie_cannot_revoke_or_see_alices_token(charlie_client, alice):
    token, key = issue_token(name="Alice's NMS", contact=alice)

    assert charlie_client.post(f"/portal/api-tokens/{token.pk}/revoke/").status_code == 404
    assert "Alice's NMS" not in charlie_client.get("/portal/api-tokens/").content.decode()
    assert token_for_key(key) is not None


def test_r11_an_end_user_gets_no_token_page(client, alice):
    alice.is_technical = False
    alice.save()

    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    client.force_login(alice.user)

    assert client.get("/portal/api-tokens/").status_code == 403
