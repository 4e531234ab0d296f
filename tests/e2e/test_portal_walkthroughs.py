"""The walk-throughs of issue 4 in a real browser (Debian's chromium), on the demo data set."""

import pytest
from django.conf import settings

from santacare.customers.models import AccessRequest, Contact
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Ticket

pytestmark = pytest.mark.e2e


def test_r8_critical_on_an_advanced_device_shows_the_support_phone(
    page, demo_data, login, screenshot, csp_violations
):
    violations = csp_violations(page)
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
    assert violations == []


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
    page.get_by_label("Y-tunnus").fill("1234567-1")
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


def test_r3_r6_open_a_ticket_from_a_device_and_the_acknowledgement_arrives(
    page, demo_data, login, screenshot, smtp_sink, csp_violations
):
    violations = csp_violations(page)
    login(page, "tekninen@esimerkki.fi", demo_data)
    page.goto("/portal/")
    screenshot(page, "portal-overview")
    page.get_by_label("Sarjanumero").fill("FOC2233X0AB")
    page.locator("form.serial-search button[type=submit]").click()
    page.wait_for_url("**/devices/FOC2233X0AB/new/")
    # R3: device, contract and service level come from the install base, not from typing.
    facts = page.locator("dl.facts").inner_text()
    assert "SCM-1001" in facts
    assert "SantaCare Basic" in facts
    page.get_by_label("Ongelman tai pyynnön kuvaus").fill("Port Gi1/0/12 flaps every minute.")
    page.get_by_label("Epäiletkö laitevikaa?").check()
    # R9: ticking "hardware fault" reveals the delivery details, pre-filled from the site.
    address = page.get_by_label("Varaosan toimitusosoite")
    address.wait_for(state="visible")
    assert "Esimerkkikatu 1" in address.input_value()
    screenshot(page, "portal-new-ticket")
    page.locator("form.ticket-form button[type=submit]").click()

    page.wait_for_url("**/portal/tickets/SC-*/")
    ticket = Ticket.objects.get(serial_number="FOC2233X0AB")
    assert ticket.tracking_number in page.locator("main").inner_text()
    assert ticket.hardware_fault
    mail = smtp_sink.wait_for(1)
    acknowledgement = next(m for m in mail if "tekninen@esimerkki.fi" in str(m["To"]))
    assert ticket.tracking_number in acknowledgement["Subject"]
    screenshot(page, "portal-ticket")

    # R4: a reply in the portal joins the same thread.
    page.get_by_label("Vastauksesi").fill("It started after the power cut on Monday.")
    page.locator("form[action$='/reply/'] button[type=submit]").click()
    page.wait_for_url(f"**/portal/tickets/{ticket.tracking_number}/")
    assert "power cut on Monday" in page.locator("ol.conversation").inner_text()
    page.goto("/portal/tickets/")
    screenshot(page, "portal-tickets")
    # Nothing on the way needed an inline script or style (the CSP would have refused it).
    assert violations == []


def test_r14_the_portal_in_english_on_a_phone_sized_screen(new_page, demo_data, login, screenshot):
    """R14: after login the portal speaks the language recorded for the contact."""
    Contact.objects.filter(email="tekninen@esimerkki.fi").update(language="en")
    page = new_page(locale="fi-FI", width=390, height=844)
    login(page, "tekninen@esimerkki.fi", demo_data)

    page.goto("/portal/devices/")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Your install base").is_visible()
    screenshot(page, "portal-devices-mobile-en")


def test_the_ticket_form_works_from_the_keyboard(page, demo_data, login):
    login(page, "tekninen@esimerkki.fi", demo_data)
    page.goto("/portal/devices/FOC2233X0AB/new/")
    delivery = page.locator("#delivery")
    assert delivery.is_hidden()

    page.get_by_label("Ongelman tai pyynnön kuvaus").focus()
    page.keyboard.type("Fan failure alarm on the console.")
    page.get_by_label("Epäiletkö laitevikaa?").focus()
    page.keyboard.press("Space")
    delivery.wait_for(state="visible")
    page.get_by_label("Toimituksen yhteyshenkilö").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert Ticket.objects.get(serial_number="FOC2233X0AB").hardware_fault


def test_r9_a_form_sent_with_errors_moves_focus_to_the_summary(page, demo_data, login):
    login(page, "tekninen@esimerkki.fi", demo_data)
    page.goto("/portal/devices/FOC2233X0AB/new/")

    with page.expect_navigation():
        page.get_by_role("button", name="Lähetä tukipyyntö").click()

    assert page.evaluate("document.activeElement.id") == "error-summary-title"
    assert page.locator(":focus").inner_text() == "Korjaa seuraavat kohdat"
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_description"
