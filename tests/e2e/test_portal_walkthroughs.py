"""The walk-throughs of issue 4 in a real browser (Debian's chromium), on the demo data set."""

import pytest
from django.conf import settings

from santacare.customers.models import AccessRequest, Contact
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Ticket

pytestmark = pytest.mark.e2e


def test_r8_critical_on_an_advanced_device_shows_the_support_phone(
    page, demo_data, login, screenshot
):
    login(page, "tekninen@esimerkki.fi", demo_data)
    page.goto("/portal/devices/")
    screenshot(page, "portal-devices")
    page.locator("tr", has_text="JN11AB2C3DEF").get_by_role("link").first.click()
    page.locator("textarea[name=description]").fill("Core router MX204 down, whole site offline.")

    page.locator("select[name=priority]").select_option("P1")

    notice = page.locator("#phone-notice .phone-notice")
    notice.wait_for(state="visible")
    assert settings.SUPPORT_PHONE in notice.inner_text()
    screenshot(page, "portal-new-ticket-critical")

    page.locator("form.ticket-form button[type=submit]").click()
    page.wait_for_url("**/new/")
    assert settings.SUPPORT_PHONE in page.locator(".phone-notice").inner_text()
    # R8: what was typed is not lost; it is saved and shown back.
    assert "whole site offline" in page.content()
    ticket = Ticket.objects.get(serial_number="JN11AB2C3DEF")
    assert ticket.phone_call_required
    screenshot(page, "portal-must-call")


def test_r10_a_managed_services_device_shows_the_noc_instead_of_a_form(
    page, demo_data, login, screenshot
):
    login(page, "tekninen@esimerkki.fi", demo_data)
    page.goto("/portal/devices/")
    page.locator("tr", has_text="FGT60FTK20000001").get_by_role("link").first.click()

    assert settings.NOC_PHONE in page.locator(".noc").inner_text()
    assert page.locator("textarea[name=description]").count() == 0
    screenshot(page, "portal-noc-redirect")


def test_another_company_cannot_open_esimerkkis_ticket_url(page, demo_data, login, screenshot):
    contact = Contact.objects.get(email="tekninen@esimerkki.fi")
    result = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            serial_number="FOC2233X0AB",
            description="Switch port 12 flapping.",
        )
    )
    url = f"/portal/tickets/{result.tracking_number}/"

    login(page, "it@toinen.fi", demo_data)
    response = page.goto(url)

    assert response.status == 404
    assert "Switch port 12 flapping" not in page.content()
    screenshot(page, "portal-other-company-404")


def test_r11_an_end_user_asking_for_access_is_refused(page, demo_data, screenshot):
    page.goto("/portal/access/")
    page.get_by_label("Yrityksen nimi").fill("Esimerkki Oy")
    page.get_by_label("Y-tunnus").fill("1234567-8")
    page.get_by_label("Nimesi").fill("Liisa Loppukäyttäjä")
    page.get_by_label("Sähköposti").fill("loppukayttaja@esimerkki.fi")
    page.get_by_label("Puhelin").fill("+358 40 333 4444")
    page.get_by_label("Tehtävä yrityksessä").fill("Accountant")
    screenshot(page, "portal-request-access")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url("**/portal/access/")
    assert page.locator("[role=status]").is_visible()
    assert AccessRequest.objects.get().status == AccessRequest.Status.REFUSED
    assert Contact.objects.get(email="loppukayttaja@esimerkki.fi").user is None
    screenshot(page, "portal-access-refused")
