"""Accounts (issue 4): one login for agents and customers, rate-limited, with password reset."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_login_for_a_while(client, alice):
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    wrong = {"login": alice.email, "password": "wrong-password"}
    for _ in range(5):
        client.post("/accounts/login/", wrong)

    right = client.post(
        "/accounts/login/",
        {"login": alice.email, "password": "test-password-123"},
        headers={"accept-language": "en"},
    )

    # Even the right password waits until the lock expires.
    assert right.status_code == 200
    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_logs_a_contact_in_to_the_portal(client, alice):
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])

    response = client.post(
        "/accounts/login/", {"login": alice.email, "password": "test-password-123"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/portal/"


def test_password_reset_mails_a_link_and_does_not_reveal_unknown_addresses(
    client, alice, mailoutbox
):
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])

    known = client.post("/accounts/password/reset/", {"email": alice.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [mail.to for mail in mailoutbox if "/accounts/password/reset/key/" in mail.body] == [
        [alice.email]
    ]


def test_a_customer_never_gets_the_desk(alice_client):
    for url in ("/desk/", "/reports/"):
        assert alice_client.get(url).status_code in (302, 403, 404), url


def test_r14_after_login_a_contact_gets_the_language_on_record(client, alice):
    alice.language = "en"
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["language", "user"])

    response = client.post(
        "/accounts/login/",
        {"login": alice.email, "password": "test-password-123"},
        headers={"accept-language": "fi"},
        follow=True,
    )

    assert '<html lang="en">' in response.content.decode()


def test_r14_a_language_chosen_in_the_browser_wins(client, alice, settings):
    alice.language = "en"
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["language", "user"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"

    response = client.post(
        "/accounts/login/",
        {"login": alice.email, "password": "test-password-123"},
        follow=True,
    )

    assert '<html lang="fi">' in response.content.decode()
