"""Accounts (issue 4): one login for agents and customers, rate-limited, with password reset."""

import pytest
from django.conf import Settings
from django.contrib.auth.hashers import identify_hasher
from django.utils.module_loading import import_string

from tests.factories import UserFactory
from tests.support.mail import huey_immediate

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


def test_passwords_are_stored_with_the_production_hasher(client, alice, settings):
    """The suite hashes with MD5 for speed (tests/settings.py); production must not."""
    production = Settings("santacare.settings").PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = production
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])

    stored = identify_hasher(alice.user.password)
    response = client.post(
        "/accounts/login/", {"login": alice.email, "password": "test-password-123"}, follow=True
    )

    assert stored.algorithm == import_string(production[0]).algorithm
    assert stored.algorithm != "md5"
    assert response.redirect_chain[-1][0] == "/portal/"


def test_password_reset_mails_a_link_and_does_not_reveal_unknown_addresses(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])

    # The mail leaves through the outbox after the commit; its send task runs inline here.
    with huey_immediate(), django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/password/reset/", {"email": alice.email})
        unknown = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [mail.to for mail in mailoutbox if "/accounts/password/reset/key/" in mail.body] == [
        [alice.email]
    ]


def test_r11_a_customer_never_gets_the_desk(alice_client):
    for url in ("/desk/", "/reports/"):
        response = alice_client.get(url, headers={"accept-language": "en"})

        # Logged in but not an agent: refused outright, not sent to log in again.
        assert response.status_code == 403, url
        assert "You do not have access to this page." in response.content.decode(), url


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


@pytest.mark.parametrize(
    ("on_record", "browser", "signed_in", "other_language"),
    [
        ("fi", "en", "Kirjauduttiin sisään käyttäjänä", "Successfully signed in"),
        ("en", "fi", "Successfully signed in as", "Kirjauduttiin sisään"),
    ],
)
def test_r14_the_signed_in_notice_is_in_the_language_of_the_page_after_login(
    client, alice, on_record, browser, signed_in, other_language
):
    alice.language = on_record
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["language", "user"])

    response = client.post(
        "/accounts/login/",
        {"login": alice.email, "password": "test-password-123"},
        headers={"accept-language": browser},
        follow=True,
    )

    text = response.content.decode()
    assert f'<html lang="{on_record}">' in text
    assert signed_in in text
    assert other_language not in text
    assert '<p class="message success" role="status">' in text


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
