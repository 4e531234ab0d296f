"""Issue 15, tried as a new user would: a token made in the portal (shown once), a ticket opened
with it through the API, seen in the portal; the token revoked, and the API says so."""

import json
import urllib.error
import urllib.request

import pytest

from santacare.customers.models import ApiToken

pytestmark = pytest.mark.e2e


def api_post(live_server, path, key, body):
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{live_server.url}/api/v1{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_r11_a_portal_token_is_shown_once_opens_a_ticket_and_can_be_revoked(
    page, live_server, demo_data, login, screenshot, csp_violations
):
    violations = csp_violations(page)
    login(page, "tekninen@esimerkki.fi", demo_data)
    page.goto("/portal/")
    page.get_by_role("link", name="API-avaimet").click()
    page.get_by_label("Nimi").fill("Zabbix")
    page.get_by_role("button", name="Luo avain").click()

    key = page.locator("#new-token-key").inner_text().strip()
    assert key.startswith("sct_")
    screenshot(page, "portal-api-token-created")
    token = ApiToken.objects.get(name="Zabbix")
    assert token.contact.email == "tekninen@esimerkki.fi"
    assert token.key_hash != key

    status, body = api_post(
        live_server,
        "/tickets",
        key,
        {"serial_number": "FOC2233X0AB", "description": "Zabbix: port 12 down since 09:14."},
    )
    assert status == 201, body
    page.goto("/portal/tickets/")
    assert body["tracking_number"] in page.content()

    # Shown once: the page, loaded again, has only the key's first characters.
    page.goto("/portal/api-tokens/")
    assert key not in page.content()
    row = page.locator(f"#token-{token.pk}")
    assert key[:12] in row.inner_text()

    row.get_by_role("button").click()
    page.locator(".message.success").wait_for()
    status, problem = api_post(
        live_server, "/tickets", key, {"serial_number": "FOC2233X0AB", "description": "Again"}
    )
    assert status == 401
    assert problem["code"] == "unauthorized"
    screenshot(page, "portal-api-token-revoked")
    assert violations == []
