"""The first pages a new user sees: in Finnish and English (R14), with the phone rule (R8)."""

import pytest

from santacare.accounts.models import User

pytestmark = pytest.mark.django_db


def test_r14_home_page_speaks_finnish_by_default(client, settings):
    response = client.get("/")

    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="fi">' in text
    assert "SantaCare tekninen tuki" in text
    assert settings.SUPPORT_PHONE in text


def test_r14_home_page_in_english_when_the_browser_asks(client):
    response = client.get("/", headers={"accept-language": "en"})

    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "Critical tickets, and SantaCare Advanced tickets outside office hours" in text


def test_r15_every_page_shows_the_portal_support_address(client, settings):
    response = client.get("/")

    assert settings.PORTAL_SUPPORT_EMAIL in response.content.decode()


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/")

    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_admin_login_page_leads_to_the_one_login_page(client):
    response = client.get("/admin/login/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    assert response.status_code == 200


def test_healthz_answers_while_the_process_lives(client, django_assert_num_queries):
    # Liveness only: no query, so a database outage does not get the web processes restarted.
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}


def test_signup_is_closed(client):
    """R11: accounts exist only for recorded technical contacts, never by self-signup."""
    response = client.post(
        "/accounts/signup/", {"email": "stranger@example.com", "password1": "x-Very-long-1"}
    )

    assert "Rekisteröityminen on poissa käytöstä" in response.content.decode()
    assert not User.objects.filter(email="stranger@example.com").exists()
