"""The desk queue walk-through (issue 13) in a real browser, in Finnish and in English.

An agent opens the desk: the ticket that breaches next is on top (R1, R5), its clocks say when
each is due and how much time is left, in words as well as colour. They sort by priority, take
two tickets with one bulk action, save the view as a filter and come back to it, and see a
colleague's change appear without reloading. Screenshots at laptop and phone width.
"""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from santacare.accounts.models import User
from santacare.core.time import now
from santacare.customers.models import AccessRequest, Contact
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Priority, Ticket
from santacare.tickets.services import change_priority
from tests.support.mail import smtp_sink  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e

AGENT = "agentti@santacare.example"
LEAD = "palvelupaallikko@santacare.example"
CUSTOMER = "tekninen@esimerkki.fi"
NOTES_SHOTS = Path(os.environ.get("SCREENSHOT_COPY_DIR", "/nonexistent"))

TEXTS = {
    "fi-FI": {
        "sorted": "Seuraava SLA-raja",
        "priority": "Prioriteetti",
        "assign_me": "Ota itselle",
        "changed": "Muutettu 2 tukipyyntöä",
        "save_view": "Tallenna tämä näkymä",
        "left": "jäljellä",
    },
    "en-US": {
        "sorted": "Next breach",
        "priority": "Priority",
        "assign_me": "Assign to me",
        "changed": "Changed 2 tickets",
        "save_view": "Save this view",
        "left": "left",
    },
}


def shot(page, screenshot, name):
    """var/screenshots/ for CI; also the notes folder where one exists (a developer's run)."""
    path = screenshot(page, name)
    if NOTES_SHOTS.is_dir():
        shutil.copy(path, NOTES_SHOTS / f"{name}.png")


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('body *'))"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px: {wide}"


def open_tickets() -> list[Ticket]:
    """Three phone tickets opened a moment ago: P3, P1 and P2, in that order."""
    contact = Contact.objects.get(email=CUSTOMER)
    agent = User.objects.get(email=AGENT)
    tickets = []
    for priority, subject in [
        (Priority.P3, "Varmuuskopio hidas"),
        (Priority.P1, "Koko toimisto ilman verkkoa"),
        (Priority.P2, "Reititin katkoilee"),
    ]:
        tickets.append(
            open_ticket(
                TicketRequest(
                    channel=Channel.PHONE,
                    contact=contact,
                    serial_number="FOC2233X0AB",
                    subject=subject,
                    description=subject + ".",
                    priority=priority,
                    opened_by=agent,
                    received_at=now() - timedelta(minutes=5),
                )
            ).ticket
        )
    return tickets


def row_numbers(page) -> list[str]:
    return page.locator("#ticket-list tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.ticket)"
    )


@pytest.mark.parametrize("locale", ["fi-FI", "en-US"])
def test_queue_sort_bulk_saved_filter_and_live_update(
    new_page,
    demo_data,
    login,
    screenshot,
    smtp_sink,  # noqa: F811
    locale,
):
    words = TEXTS[locale]
    p3, p1, p2 = open_tickets()
    page = new_page(locale=locale, width=1280, height=900)
    login(page, AGENT, demo_data)
    page.goto("/desk/")

    # Next breach first: the stored copy the sort reads agrees with the clocks shown.
    expected = list(
        Ticket.objects.filter(pk__in=[p3.pk, p1.pk, p2.pk])
        .order_by("sla_due_at", "id")
        .values_list("tracking_number", flat=True)
    )
    assert row_numbers(page) == expected
    assert expected[0] == p1.tracking_number
    header = page.locator("th[aria-sort]")
    assert words["sorted"] in header.inner_text()
    assert words["left"] in page.locator(f'tr[data-ticket="{p1.tracking_number}"]').inner_text()
    shot(page, screenshot, f"queue-{locale[:2]}-1280")

    # Sort by priority: a click on the column header.
    with page.expect_navigation():
        page.locator("a[data-sort=priority]").click()
    assert "sort=priority" in page.url
    assert row_numbers(page) == [p1.tracking_number, p2.tracking_number, p3.tracking_number]

    # Bulk: take the two most urgent at once.
    page.locator(f'input[name=tickets][value="{p1.tracking_number}"]').check()
    page.locator(f'input[name=tickets][value="{p2.tracking_number}"]').check()
    with page.expect_navigation():
        page.get_by_role("button", name=words["assign_me"]).click()
    assert words["changed"] in page.locator(".messages").inner_text()
    agent = User.objects.get(email=AGENT)
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {
        p1.pk,
        p2.pk,
    }
    assert "sort=priority" in page.url  # back where the agent was

    # Save the view, leave it, come back through the saved filter.
    page.locator(".saved-filters summary").click()
    page.locator("#saved-filter-name").fill("P-järjestys")
    with page.expect_navigation():
        page.locator("form.save-filter button").click()
    page.goto("/desk/?queue=new")
    with page.expect_navigation():
        page.locator('[data-saved-filter="P-järjestys"]').click()
    assert "sort=priority" in page.url
    assert page.locator("th[aria-sort] a").get_attribute("data-sort") == "priority"

    # Live: a colleague lowers P1 to P4; the row changes without a reload.
    lead = User.objects.get(email=LEAD)
    change_priority(p1, priority=Priority.P4, by=lead)
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.locator(f'tr[data-ticket="{p1.tracking_number}"] .prio-p4').wait_for()
    assert row_numbers(page)[-1] == p1.tracking_number
    shot(page, screenshot, f"queue-{locale[:2]}-after")

    phone = new_page(locale=locale, width=390, height=844)
    login(phone, AGENT, demo_data)
    phone.goto("/desk/")
    phone.locator(f'tr[data-ticket="{p2.tracking_number}"]').wait_for()
    assert_no_horizontal_scroll(phone)
    shot(phone, screenshot, f"queue-{locale[:2]}-390")


def test_desk_screens_for_access_requests_mail_and_rmas(
    new_page,
    demo_data,
    login,
    screenshot,
    smtp_sink,  # noqa: F811
):
    esimerkki = Contact.objects.get(email=CUSTOMER).customer
    AccessRequest.objects.create(
        company_name=esimerkki.name,
        business_id=esimerkki.business_id,
        customer=esimerkki,
        name="Uusi Insinööri",
        email="uusi@esimerkki.fi",
        phone="+358 40 555 0101",
        job_role="Verkkoasiantuntija",
        status=AccessRequest.Status.PENDING,
    )
    receive_mail(
        b"From: Tuntematon <kuka@tuntematon.example>\r\nTo: tuki@santacare.example\r\n"
        b"Subject: Apua\r\nMessage-ID: <e2e-queue-1@tuntematon.example>\r\n\r\nHei.\r\n",
        source=InboundMail.Source.SMTP,
    )
    for width in (1280, 390):
        page = new_page(locale="fi-FI", width=width, height=900)
        login(page, AGENT, demo_data)
        for path, name in [("/desk/access/", "access"), ("/desk/mail/", "mail"), ("/rma/", "rma")]:
            page.goto(path)
            assert page.locator("nav.desk-nav").is_visible()
            shot(page, screenshot, f"queue-{name}-{width}")
            if width == 390:
                assert_no_horizontal_scroll(page)
        page.goto("/desk/mail/")
        assert "Lähettäjä ei ole tunnettu yhteyshenkilö" in page.locator("table.mail").inner_text()
        page.goto("/desk/access/")
        with page.expect_navigation():
            page.get_by_role("button", name="Hyväksy").click()
        assert "Hyväksytty" in page.locator(".messages").inner_text()
        AccessRequest.objects.update(status=AccessRequest.Status.PENDING)
