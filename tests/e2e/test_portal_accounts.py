"""Login, password reset and MFA pages in the portal's layout (issue 4: accounts with allauth)."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_login_page_offers_reset_and_access_request(page, demo_data, screenshot):
    page.goto("/accounts/login/")

    assert page.get_by_label("Sähköposti").is_visible()
    assert page.get_by_role("link", name="Unohditko salasanasi?").is_visible()
    assert page.get_by_role("link", name="Pyydä portaalitunnusta").is_visible()
    screenshot(page, "portal-login")


def test_a_wrong_password_is_refused_with_a_message(page, demo_data, screenshot):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("tekninen@esimerkki.fi")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("input[name=password]").press("Enter")

    page.locator(".error-summary").wait_for(state="visible")
    assert "/accounts/login/" in page.url
    assert page.evaluate("document.activeElement.id") == "error-summary-title"
    screenshot(page, "portal-login-failed")


def test_mfa_can_be_set_up_from_the_portal(page, demo_data, login, screenshot):
    login(page, "tekninen@esimerkki.fi", demo_data)

    page.goto("/accounts/2fa/totp/activate/")
    # allauth asks for the password again before a security change.
    if "/reauthenticate/" in page.url:
        page.locator("input[name=password]").fill(demo_data)
        with page.expect_navigation():
            page.locator("input[name=password]").press("Enter")

    assert page.locator("img, svg").count() >= 1  # the QR code of the TOTP secret
    assert page.locator("input[name=code]").is_visible()
    screenshot(page, "portal-mfa-activate")
