"""The desk walk-throughs of issue 5 in a real browser (Debian's chromium), on the demo data set.

An agent on the phone: find the caller from what they say, pick the device, open the ticket and
read out the tracking number (R7); the cases that must not become a ticket are shown as such
(R1, R10). Replies reach the customer's mailbox; internal notes never do (R4).
"""

import time

import pytest

from santacare.customers.models import Contact
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Message, Ticket
from tests.support.mail import smtp_sink  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e

AGENT = "agentti@santacare.example"
CUSTOMER = "tekninen@esimerkki.fi"


def lookup(page, text):
    page.goto("/desk/phone/")
    page.locator("#lookup-q").fill(text)
    page.locator("#results .picks a").first.wait_for()


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def open_the_call(page, subject, description):
    page.locator("input[name=subject]").fill(subject)
    page.locator("textarea[name=description]").fill(description)
    with page.expect_navigation():
        page.locator("form.call-form button[type=submit]").click()
    return page.locator(".tracking-big").inner_text().strip()


def test_r7_phone_ticket_from_the_callers_phone_number_alone(
    new_page,
    demo_data,
    login,
    screenshot,
    smtp_sink,  # noqa: F811
):
    page = new_page(width=1280, height=800)
    login(page, AGENT, demo_data)
    console_errors = []
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and "favicon" not in msg.location["url"]
            and console_errors.append(msg.text)
        ),
    )
    started = time.monotonic()

    lookup(page, "040 111 2222")
    screenshot(page, "desk-phone-lookup-by-number")
    # Keyboard only: arrow down to the caller, Enter; the caller's devices get the focus.
    page.locator("#lookup-q").press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("#intake [data-pick=device]:focus").wait_for()
    page.locator("#intake [data-pick=device]", has_text="FOC2233X0AB").focus()
    page.keyboard.press("Enter")
    page.locator("input[name=subject]").wait_for()
    assert "SCM-1001" in page.locator("#intake").inner_text()
    assert page.locator('[data-entitlement="covered"]').count() == 1
    screenshot(page, "desk-phone-device-picked")
    assert_no_horizontal_scroll(page)

    number = open_the_call(page, "Kytkin ei käynnisty", "Virtavalo ei syty.")
    elapsed = time.monotonic() - started
    screenshot(page, "desk-phone-opened")

    ticket = Ticket.objects.get(tracking_number=number)
    assert ticket.channel == Channel.PHONE
    assert ticket.contact.email == CUSTOMER
    assert ticket.opened_by.email == AGENT
    # The caller's acknowledgement carries the tracking number (R6, R12).
    mails = smtp_sink.wait_for(1)
    assert any(f"[{number}]" in str(m["Subject"]) for m in smtp_sink.to(CUSTOMER)), mails
    print(f"phone ticket by number: {elapsed:.1f} s of browser time")  # noqa: T201
    # The CSP forbids inline scripts and styles; nothing on these pages may trip it.
    assert console_errors == []


def test_r7_phone_ticket_from_a_serial_fragment(new_page, demo_data, login, screenshot):
    page = new_page()
    login(page, AGENT, demo_data)

    lookup(page, "2233X")
    page.locator("#results [data-pick=device]", has_text="FOC2233X0AB").click()
    page.locator("#intake [data-pick=contact]", has_text="Teemu Tekninen").click()
    screenshot(page, "desk-phone-by-serial")

    number = open_the_call(page, "Portti 12 vilkkuu", "Linkki katkeilee minuutin välein.")

    assert Ticket.objects.get(tracking_number=number).serial_number == "FOC2233X0AB"


def test_r10_managed_services_device_shows_the_noc(new_page, demo_data, login, screenshot):
    from django.conf import settings

    page = new_page()
    login(page, AGENT, demo_data)

    lookup(page, "FGT60FTK20000001")
    page.locator("#results [data-pick=device]").first.click()
    page.locator('[data-rule="R10"]').wait_for()

    assert settings.NOC_PHONE in page.locator('[data-rule="R10"]').inner_text()
    assert page.locator("form.call-form").count() == 0
    screenshot(page, "desk-phone-noc")


def test_r1_expired_contract_is_shown_with_the_way_forward(new_page, demo_data, login, screenshot):
    page = new_page()
    login(page, AGENT, demo_data)

    lookup(page, "FOC1111X0ZZ")
    page.locator("#results [data-pick=device]").first.click()
    page.locator('[data-rule="R1"]').wait_for()

    assert "palvelupaallikko@santacare.example" in page.locator('[data-rule="R1"]').inner_text()
    assert page.locator('[data-entitlement="expired"]').count() == 1
    assert page.locator("form.call-form").count() == 0
    screenshot(page, "desk-phone-expired")


def test_r4_public_reply_is_mailed_and_internal_note_never_reaches_the_customer(
    new_page,
    demo_data,
    login,
    screenshot,
    smtp_sink,  # noqa: F811
):
    contact = Contact.objects.get(email=CUSTOMER)
    ticket = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            serial_number="FOC2233X0AB",
            subject="Kytkin ei vastaa",
            description="Kytkin ei vastaa pingiin.",
        )
    ).ticket
    acknowledged = len(smtp_sink.wait_for(1))
    page = new_page(width=1280, height=800)
    login(page, AGENT, demo_data)
    page.goto(f"/desk/t/{ticket.tracking_number}/")

    page.locator("textarea[name=body]").fill("Sisäinen: varaosa hyllyssä 3, älä kerro asiakkaalle.")
    page.locator("label.tab-note").click()
    with page.expect_navigation():
        page.locator("#composer button[type=submit]").click()
    page.locator("label.tab-reply").click()
    page.locator("textarea[name=body]").fill("Vaihdamme virtalähteen huomenna.")
    with page.expect_navigation():
        page.locator("#composer button[type=submit]").click()
    page.locator("select[name=status]").select_option("waiting_on_customer")
    page.locator("#events li").nth(3).wait_for()
    screenshot(page, "desk-workspace")
    assert_no_horizontal_scroll(page)

    mails = smtp_sink.wait_for(acknowledged + 1)
    reply = [m for m in smtp_sink.to(CUSTOMER) if "virtalähteen" in m.get_body().get_content()]
    assert len(reply) == 1
    assert f"[{ticket.tracking_number}]" in str(reply[0]["Subject"])
    assert all("varaosa hyllyssä" not in m.get_body().get_content() for m in mails)
    assert ticket.messages.filter(visibility=Message.Visibility.INTERNAL).count() == 1

    customer_page = new_page()
    login(customer_page, CUSTOMER, demo_data)
    customer_page.goto(f"/portal/tickets/{ticket.tracking_number}/")
    text = customer_page.content()
    assert "Vaihdamme virtalähteen" in text
    assert "varaosa hyllyssä" not in text
    screenshot(customer_page, "desk-reply-seen-in-portal")


def test_queues_fit_a_laptop_screen_in_both_languages(new_page, demo_data, login, screenshot):
    contact = Contact.objects.get(email=CUSTOMER)
    for serial in ("FOC2233X0AB", "JN11AB2C3DEF"):
        open_ticket(
            TicketRequest(
                channel=Channel.PORTAL,
                contact=contact,
                serial_number=serial,
                subject="Pitkä otsikko, jossa on paljon sanoja " * 3,
                description="Kuvaus.",
            )
        )
    for locale, name in (("fi-FI", "desk-queue-fi"), ("en-US", "desk-queue-en")):
        page = new_page(locale=locale, width=1280, height=800)
        login(page, AGENT, demo_data)
        page.goto("/desk/")
        page.locator("table.tickets").wait_for()
        assert_no_horizontal_scroll(page)
        screenshot(page, name)
    assert page.locator("html").get_attribute("lang") == "en"
