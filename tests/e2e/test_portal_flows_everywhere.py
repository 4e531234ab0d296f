"""Every portal flow of issue 13, in Finnish and in English, on a laptop and on a phone: what a
customer does each day works in both languages at both sizes, and no page pans sideways.

Three walk-throughs, each run four times: the public pages (login, access request, password
reset), a ticket's life (overview, devices, new ticket with an attachment, reply, the list and
its filters) and the rest (SLA report, its drill-down and CSV, API tokens)."""

import re
from pathlib import Path

import pytest

from santacare.customers.models import AccessRequest, Contact
from santacare.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.e2e

PHONE, LAPTOP = 390, 1280
WHERE = [("fi", LAPTOP), ("en", LAPTOP), ("fi", PHONE), ("en", PHONE)]
BROWSER_LOCALE = {"fi": "fi-FI", "en": "en-GB"}
WORDS = {
    "fi": {
        "overview": "Yleiskatsaus",
        "devices": "Laitteet",
        "tickets": "Tukipyynnöt",
        "reports": "SLA-raportit",
        "tokens": "API-avaimet",
        "month": "Kuukausi",
        "revoke": "Mitätöi",
    },
    "en": {
        "overview": "Overview",
        "devices": "Devices",
        "tickets": "Tickets",
        "reports": "SLA reports",
        "tokens": "API tokens",
        "month": "Month",
        "revoke": "Revoke",
    },
}
CUSTOMER = "tekninen@esimerkki.fi"


@pytest.fixture
def customer_page(new_page, demo_data):
    """A page of the customer's browser, the contact's recorded language set to the one tested."""

    def make(language: str, width: int):
        Contact.objects.filter(email=CUSTOMER).update(language=language)
        return new_page(locale=BROWSER_LOCALE[language], width=width, height=844)

    return make


def fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide on a {width} px screen"


def log_in_from_the_keyboard(page, password: str) -> None:
    """The login page opens with the cursor in the address: type, Tab, type, Enter."""
    page.goto("/accounts/login/")
    assert "{#" not in page.locator("main").inner_text()  # no template comment leaks
    assert page.evaluate("document.activeElement.name") == "login"
    page.keyboard.type(CUSTOMER)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url


def nav(page, language: str, key: str) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name=WORDS[language][key]).click()
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize(("language", "width"), WHERE)
def test_public_pages_login_access_request_and_password_reset(
    customer_page, demo_data, smtp_sink, language, width
):
    page = customer_page(language, width)

    # Access request: a new technical contact asks for an account.
    page.goto("/portal/access/")
    assert page.locator("html").get_attribute("lang") == language
    fits(page, width)
    page.locator("input[name=company_name]").fill("Esimerkki Oy")
    page.locator("input[name=business_id]").fill("1234567-1")
    page.locator("input[name=name]").fill("Niina Verkkoinsinööri")
    page.locator("input[name=email]").fill("niina@esimerkki.fi")
    page.locator("input[name=phone]").fill("+358 40 111 2222")
    page.locator("input[name=job_role]").fill("Network engineer")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.get_by_role("heading", level=1).is_visible()
    fits(page, width)
    assert AccessRequest.objects.filter(email="niina@esimerkki.fi").exists()

    # Password reset: the link in the mail sets a new password, which then logs in.
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.locator("a[href$='/accounts/password/reset/']").click()
    fits(page, width)
    # The page opens in its one field; sent empty, its error summary takes the focus.
    assert page.evaluate("document.activeElement.name") == "email"
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.evaluate("document.activeElement.id") == "error-summary-title"
    page.locator("input[name=email]").fill(CUSTOMER)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    link = None
    for _ in range(50):
        bodies = [mail.get_body(("plain",)).get_content() for mail in smtp_sink.to(CUSTOMER)]
        found = [re.search(r"https?://\S+/accounts/password/reset/key/\S+", b) for b in bodies]
        link = next((match for match in found if match), None)
        if link:
            break
        page.wait_for_timeout(100)
    assert link is not None
    page.goto(re.sub(r"^https?://[^/]+", "", link.group(0)))
    page.locator("input[name=password1]").fill("uusi-salasana-2026-portaali")
    page.locator("input[name=password2]").fill("uusi-salasana-2026-portaali")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    fits(page, width)

    log_in_from_the_keyboard(page, "uusi-salasana-2026-portaali")
    assert page.locator("nav [aria-current=page]").inner_text() == WORDS[language]["overview"]
    fits(page, width)


@pytest.mark.parametrize(("language", "width"), WHERE)
def test_a_ticket_from_the_overview_with_an_attachment_a_reply_and_the_filtered_list(
    customer_page, demo_data, language, width
):
    page = customer_page(language, width)
    log_in_from_the_keyboard(page, demo_data)
    fits(page, width)

    nav(page, language, "devices")
    fits(page, width)
    nav(page, language, "overview")
    page.locator("form.serial-search input[name=serial_number]").fill("FOC2233X0AB")
    with page.expect_navigation():
        page.locator("form.serial-search button[type=submit]").click()
    fits(page, width)
    page.locator("input[name=subject]").fill("Port 12 flaps")
    page.locator("textarea[name=description]").fill("Port Gi1/0/12 flaps every minute.")
    page.locator("input[name=files]").set_input_files(
        files=[{"name": "switch-log.txt", "mimeType": "text/plain", "buffer": b"%LINK-3-UPDOWN"}]
    )
    with page.expect_navigation():
        page.locator("form.ticket-form button[type=submit]").click()

    ticket = Ticket.objects.get(serial_number="FOC2233X0AB")
    assert page.locator(".messages [role=status]").is_visible()
    assert page.get_by_role("link", name="switch-log.txt").is_visible()
    assert Attachment.objects.filter(message__ticket=ticket, filename="switch-log.txt").exists()
    fits(page, width)

    page.locator("textarea[name=body]").fill("It started after the power cut on Monday.")
    with page.expect_navigation():
        page.locator("form[action$='/reply/'] button[type=submit]").click()
    assert "power cut on Monday" in page.locator("ol.conversation").inner_text()

    nav(page, language, "tickets")
    page.locator("#f-q").fill("flaps")
    page.locator("#f-scope").select_option("mine")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    assert page.get_by_role("link", name=ticket.tracking_number).is_visible()
    page.locator("#f-q").fill("no such words anywhere")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    assert page.get_by_role("link", name=ticket.tracking_number).count() == 0
    fits(page, width)


@pytest.mark.parametrize(("language", "width"), WHERE)
def test_the_sla_report_its_drill_down_and_csv_and_api_tokens(
    customer_page, demo_data, language, width
):
    from santacare.tickets.intake import TicketRequest, open_ticket

    contact = Contact.objects.get(email=CUSTOMER)
    opened = open_ticket(
        TicketRequest(
            channel="portal", contact=contact, serial_number="FOC2233X0AB", description="Fan."
        )
    )
    page = customer_page(language, width)
    log_in_from_the_keyboard(page, demo_data)

    # The report sits in the portal: its navigation, the report's tab current.
    nav(page, language, "reports")
    current = page.locator("nav [aria-current=page]").inner_text()
    assert current == WORDS[language]["reports"]
    # The months are chosen, and shown, as the report words them.
    chosen = page.locator("select[name=last] option:checked").inner_text()
    assert re.search(r"20\d\d", chosen)
    fits(page, width)
    wrap = page.locator(".table-wrap").first
    if width == LAPTOP:
        # Every column fits: nothing scrolls inside the table's box.
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")

    with page.expect_download() as download:
        page.locator("a[href*='sla.csv']").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].decode().splitlines()[0]
    assert header.split(";")[0] == WORDS[language]["month"]

    with page.expect_navigation():
        page.locator("table.report a").first.click()
    fits(page, width)
    assert page.get_by_role("link", name=opened.tracking_number).is_visible()
    assert page.locator("nav [aria-current=page]").inner_text() == current

    nav(page, language, "tokens")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.evaluate("document.activeElement.id") == "error-summary-title"
    page.locator("input[name=name]").fill("Monitoring")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.locator("#new-token-key").inner_text().strip()
    fits(page, width)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(WORDS[language]["revoke"])).first.click()
    assert page.locator(".messages [role=status]").is_visible()
    fits(page, width)
