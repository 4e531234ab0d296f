"""The phone system's screen-pop in a real browser (R7): the switchboard posts a call event, the
agent whose extension rings sees the caller on the desk page she is on, and one click opens phone
intake with the caller and the call picked; the call is written on the ticket at the hang-up."""

import json
import urllib.request

import pytest

from santacare.accounts.models import User
from santacare.customers.tokens import issue_token
from santacare.telephony.models import Call
from santacare.tickets.models import Message, Ticket

pytestmark = pytest.mark.e2e

AGENT = "agentti@santacare.example"


def post_event(live_server, token, **fields):
    body = {"callId": "pbx-4711", "direction": "in", "to": "+358 9 4242 0000"} | fields
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        live_server.url + "/api/v1/calls/events",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, json.loads(response.read())


def test_r7_a_call_pops_the_banner_and_one_click_opens_a_filled_intake(
    new_page, live_server, demo_data, login, screenshot, csp_violations
):
    switchboard = User.objects.create_user("pbx@santacare.example", role=User.Role.AGENT)
    token = issue_token(name="Switchboard", user=switchboard)[1]
    page = new_page(locale="en-US")
    violations = csp_violations(page)
    console_errors: list[str] = []
    page.on(
        "console",
        lambda message: message.type == "error" and console_errors.append(message.text),
    )
    login(page, AGENT, demo_data)
    page.goto("/desk/")
    assert page.locator(".incoming-call").count() == 0

    status, _ = post_event(
        live_server, token, event="newCall", **{"from": "040 111 2222"}, extension="201"
    )
    assert status == 201

    banner = page.locator(".incoming-call")
    banner.wait_for()
    assert "+358 40 1112222" in banner.inner_text()
    assert "Teemu Tekninen" in banner.inner_text()
    assert "Esimerkki Oy" in banner.inner_text()
    screenshot(page, "desk-incoming-call")
    post_event(live_server, token, event="answer", extension="201")

    banner.get_by_role("link", name="Open phone intake").first.click()
    page.wait_for_url("**/desk/phone/?contact=*")
    call = Call.objects.get(call_id="pbx-4711")
    assert "Teemu Tekninen" in page.locator("#intake").inner_text()
    page.locator("#intake [data-pick=device]", has_text="FOC2233X0AB").click()
    page.locator("input[name=subject]").wait_for()
    assert page.locator("form.call-form input[name=call]").get_attribute("value") == str(call.pk)
    page.locator("textarea[name=description]").fill("Kytkin ei käynnisty.")
    with page.expect_navigation():
        page.locator("form.call-form button[type=submit]").click()
    number = page.locator(".tracking-big").inner_text().strip()
    screenshot(page, "desk-phone-opened-from-call")

    post_event(live_server, token, event="hangup", cause="normalClearing")

    ticket = Ticket.objects.get(tracking_number=number)
    note = ticket.messages.get(visibility=Message.Visibility.INTERNAL)
    assert "Phone call from +358 40 1112222" in note.body
    assert "answered by Aino Agentti" in note.body
    assert "Puhelu numerosta +358 40 1112222" in note.body
    assert violations == []
    assert console_errors == []
