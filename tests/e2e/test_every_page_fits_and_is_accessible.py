"""Every page a customer or an agent uses, at a laptop's and a phone's width, in both languages:
nothing wider than the screen (R14's portal is used on phones in the field), and axe-core finds
no serious or critical accessibility violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from santacare.customers.models import Contact
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel

pytestmark = pytest.mark.e2e

PHONE, LAPTOP = 390, 1280
SERIOUS = {"serious", "critical"}

PUBLIC_PAGES = ["/accounts/login/", "/portal/access/"]
CUSTOMER_PAGES = [
    "/portal/",
    "/portal/devices/",
    "/portal/tickets/",
    "/portal/tickets/{ticket}/",
    "/portal/tickets/new/",
    "/portal/devices/FOC2233X0AB/new/",
    "/reports/mine/",
    "/portal/api-tokens/",
]
# Every page of the desk an agent works in (issue 13: "every page" at 390 px too), with a
# row on each list so that the phone's cards are what is checked, not an empty list.
AGENT_PAGES = [
    "/desk/",
    "/desk/?sort=priority",
    "/desk/t/{ticket}/",
    "/desk/t/{phoned}/",
    "/desk/t/{phoned}/merge/?tracking_number={ticket}",
    "/desk/phone/",
    "/desk/phone/?q=FOC2233X0AB",
    "/desk/phone/opened/{phoned}/",
    "/desk/mail/",
    "/desk/mail/?outcome=review",
    "/desk/access/",
    "/desk/access/?show=decided",
    "/desk/api-tokens/",
    "/rma/",
    "/rma/overdue/",
    "/rma/report/",
    "/rma/new/{ticket}/",
    "/rma/{rma}/",
    "/rma/devices/{device}/",
    "/reports/",
]


@pytest.fixture
def ticket(demo_data) -> str:
    contact = Contact.objects.get(email="tekninen@esimerkki.fi")
    result = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            serial_number="FOC2233X0AB",
            subject="Kytkin ei käynnisty",
            description="Virtavalo ei syty; koko kerros ilman verkkoa.",
            hardware_fault=True,
            delivery_address="Esimerkkikatu 1, 00100 Helsinki",
            delivery_contact="Pekka Päivystäjä, 040 123 4567",
        )
    )
    assert result.ticket is not None
    return result.ticket.tracking_number


def problems(page, width: int) -> list[str]:
    """What a user at this width would trip over: sideways panning, or axe's serious findings."""
    found = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        found.append(f"{page.url}: {scroll_width} px wide on a {width} px screen")
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"][:3]]
            found.append(f"{page.url} at {width} px: {violation['id']} {targets}")
    return found


def walk(page, paths: list[str], width: int, ticket: str, **more: object) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(path.format(ticket=ticket, **more))
        assert response is not None, path
        assert response.status == 200, path
        found += problems(page, width)
    return found


@pytest.mark.parametrize(
    ("width", "locale"), [(PHONE, "fi-FI"), (PHONE, "en-GB"), (LAPTOP, "fi-FI")]
)
def test_r14_customer_pages_fit_the_screen_and_pass_axe(
    new_page, login, demo_data, ticket, screenshot, width, locale
):
    page = new_page(width=width, locale=locale)
    found = walk(page, PUBLIC_PAGES, width, ticket)
    login(page, "tekninen@esimerkki.fi", demo_data)
    found += walk(page, CUSTOMER_PAGES, width, ticket)
    page.goto(f"/portal/tickets/{ticket}/")
    screenshot(page, f"portal-ticket-{width}-{locale}")
    assert found == []


@pytest.fixture
def desk_world(demo_data, ticket) -> dict[str, object]:
    """What fills the desk's other lists: a phoned-in ticket with an RMA, held mail, a request
    for portal access."""
    from santacare.accounts.models import User
    from santacare.customers.services import request_portal_access
    from santacare.mailgate.inbound import receive_mail
    from santacare.rma.services import open_rma

    agent = User.objects.get(email="agentti@santacare.example")
    phoned = open_ticket(
        TicketRequest(
            channel=Channel.PHONE,
            contact=Contact.objects.get(email="tekninen@esimerkki.fi"),
            serial_number="FOC2233X0AB",
            subject="Puhelu: kytkin käynnistyy uudelleen",
            description="Asiakas soitti: kytkin käynnistyy uudelleen tunnin välein.",
            hardware_fault=True,
            delivery_address="Esimerkkikatu 1, 00100 Helsinki",
            delivery_contact="Teemu Tekninen, +358 40 111 2222",
            opened_by=agent,
        )
    ).ticket
    assert phoned is not None
    rma = open_rma(phoned, by=agent, part_number="C9300-48P-E")
    receive_mail(
        (
            "From: charlie@charlie.example\r\nTo: support@santacare.example\r\n"
            f"Subject: Re: [{ticket}] kytkin\r\nMessage-ID: <held-every-page@c>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nTietoa kytkimestä.\r\n"
        ).encode(),
        source="pipe",
    )
    request_portal_access(
        company_name="Esimerkki Oy",
        business_id="1234567-1",
        name="Uusi Henkilö",
        email="uusi@esimerkki.fi",
        phone="+358 40 555 1234",
        job_role="Verkkoasiantuntija",
        language="fi",
        verify_url=lambda token: f"/portal/access/verify/{token}/",
    )
    return {"phoned": phoned.tracking_number, "rma": rma.pk, "device": rma.device_id}


@pytest.mark.parametrize(
    ("width", "locale"),
    [(PHONE, "fi-FI"), (PHONE, "en-GB"), (LAPTOP, "fi-FI"), (LAPTOP, "en-GB")],
)
def test_r14_every_agent_page_fits_the_screen_and_passes_axe(
    new_page, login, demo_data, ticket, desk_world, screenshot, width, locale
):
    page = new_page(width=width, locale=locale)
    login(page, "agentti@santacare.example", demo_data)
    found = walk(page, AGENT_PAGES, width, ticket, **desk_world)
    page.goto("/desk/mail/")
    screenshot(page, f"desk-mail-{width}-{locale}")
    assert found == [], "\n".join(found)


def test_r14_the_ticket_page_puts_the_conversation_and_reply_before_the_sla_and_rma(
    new_page, login, demo_data, ticket
):
    """On a phone the page is one column: what the customer came for comes first."""
    page = new_page(width=PHONE)
    login(page, "tekninen@esimerkki.fi", demo_data)
    page.goto(f"/portal/tickets/{ticket}/")

    def top(selector: str) -> float:
        return page.locator(selector).bounding_box()["y"]

    assert top("#conv-title") < top("#reply-title") < top("#sla-title")
    # The status is always visible near the top, not only in a table column.
    assert top(".ticket-head .status") < top("#conv-title")
