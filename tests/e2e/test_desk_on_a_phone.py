"""The desk's daily flows on a 390 px phone, in Finnish and in English (issue 13): the queue's
filter, sort and bulk action, the workspace's note and reply, phone intake, mail review's
release, access requests approved and declined, and an RMA from the workspace. Nothing may pan
sideways; every wording is read from the real catalogs, in the page's language."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from santacare.accounts.models import User
from santacare.customers.models import AccessRequest, Contact
from santacare.customers.services import request_portal_access
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.rma.models import Rma
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Message, Ticket

pytestmark = pytest.mark.e2e

AGENT = "agentti@santacare.example"
CUSTOMER = "tekninen@esimerkki.fi"
PHONE = {"width": 390, "height": 844}
LANGUAGES = [("fi-FI", "fi"), ("en-GB", "en")]


def said(lang: str, text: str, **values: str) -> str:
    with translation.override(lang):
        return gettext(text) % values if values else gettext(text)


def fits(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} pans sideways by {overflow} px"


def shown_label(cell) -> str:
    """The label a phone shows before a card's field (a ::before, not in innerText)."""
    return cell.evaluate("cell => getComputedStyle(cell, '::before').content")


def a_ticket(subject: str, **more) -> Ticket:
    ticket = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=Contact.objects.get(email=CUSTOMER),
            serial_number="FOC2233X0AB",
            subject=subject,
            description=f"{subject}: ei vastaa.",
            **more,
        )
    ).ticket
    assert ticket is not None
    return ticket


@pytest.fixture
def agent_on_a_phone(new_page, login, demo_data):
    def open_as(locale: str):
        page = new_page(locale=locale, **PHONE)
        login(page, AGENT, demo_data)
        return page

    return open_as


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_queue_filter_sort_and_bulk_on_a_phone(agent_on_a_phone, screenshot, locale, lang):
    tickets = [a_ticket(f"Kytkin {n}") for n in range(3)]
    page = agent_on_a_phone(locale)
    page.goto("/desk/")
    fits(page)

    page.locator("form.filters select[name=priority]").select_option(tickets[0].priority)
    page.wait_for_url(f"**priority={tickets[0].priority}**")
    with page.expect_navigation():
        page.locator("a[data-sort-link=priority]").click()
    assert "sort=priority" in page.url
    assert page.locator("a[data-sort-link=priority]").get_attribute("aria-current") == "true"
    card = page.locator(f'tr[data-ticket="{tickets[1].tracking_number}"]')
    assert said(lang, "Priority") in shown_label(card.locator("td.col-priority"))
    fits(page)

    card.locator("input[name=tickets]").check()
    with page.expect_navigation():
        page.locator("button[value=assign_me]").click()
    assert tickets[1].tracking_number in page.locator(".messages").inner_text()
    assert Ticket.objects.get(pk=tickets[1].pk).assignee.email == AGENT
    fits(page)
    screenshot(page, f"desk-phone-queue-{lang}")


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_workspace_note_and_reply_on_a_phone(agent_on_a_phone, screenshot, locale, lang):
    ticket = a_ticket("Kytkin ei vastaa")
    page = agent_on_a_phone(locale)
    page.goto(f"/desk/t/{ticket.tracking_number}/")
    fits(page)

    page.locator("textarea[name=body]").fill("Varaosa hyllyssä 3.")
    page.locator("#composer button[type=submit]").click()
    page.locator("#messages article[data-visibility=internal]").wait_for()
    page.locator("label.tab-reply").click()
    page.locator("textarea[name=body]").fill("Lähetämme uuden kytkimen tänään.")
    page.locator("#composer button[type=submit]").click()
    page.locator("#messages article[data-visibility=public].outbound").wait_for()
    assert ticket.messages.filter(visibility=Message.Visibility.INTERNAL).count() == 1
    assert ticket.messages.filter(direction=Message.Direction.OUTBOUND).count() == 1
    fits(page)
    screenshot(page, f"desk-phone-workspace-{lang}")


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_phone_intake_on_a_phone(agent_on_a_phone, screenshot, locale, lang):
    page = agent_on_a_phone(locale)
    page.goto("/desk/phone/")
    page.locator("#lookup-q").fill("2233X")
    page.locator("#results [data-pick=device]", has_text="FOC2233X0AB").click()
    page.locator("#intake [data-pick=contact]", has_text="Teemu Tekninen").click()
    page.locator("input[name=subject]").fill("Portti 12 vilkkuu")
    page.locator("textarea[name=description]").fill("Linkki katkeilee.")
    fits(page)
    with page.expect_navigation():
        page.locator("form.call-form button[type=submit]").click()
    number = page.locator(".tracking-big").inner_text().strip()
    fits(page)

    page.goto(f"/desk/t/{number}/")
    agent = User.objects.get(email=AGENT)
    badge = page.locator("#messages article .badge").first.inner_text()
    assert badge == said(lang, "Phone, typed by %(agent)s", agent=str(agent))
    fits(page)
    screenshot(page, f"desk-phone-intake-{lang}")


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_mail_review_release_on_a_phone(agent_on_a_phone, screenshot, locale, lang):
    ticket = a_ticket("Kytkin")
    raw = (
        "From: charlie@charlie.example\r\nTo: support@santacare.example\r\n"
        f"Subject: Re: [{ticket.tracking_number}] x\r\nMessage-ID: <phone-{lang}@c>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nTietoa kytkimestä.\r\n"
    ).encode()
    mail = InboundMail.objects.get(pk=receive_mail(raw, source="pipe").mail_id)
    page = agent_on_a_phone(locale)
    page.goto("/desk/mail/?outcome=review")
    card = page.locator(f'tr[data-mail="{mail.pk}"]')
    assert said(lang, "Reason") in shown_label(card.locator("td").nth(2))
    fits(page)
    screenshot(page, f"desk-phone-mail-{lang}")

    with page.expect_navigation():
        card.locator(f"form[action='/desk/mail/{mail.pk}/release/'] button").click()
    notice = page.locator(".messages").inner_text()
    assert said(lang, "The mail was released: %(result)s.", result="").rstrip(".: ") in notice
    assert ticket.tracking_number in notice
    mail.refresh_from_db()
    assert not mail.is_held
    fits(page)


def ask_for_access(name: str, email: str) -> AccessRequest:
    return request_portal_access(
        company_name="Esimerkki Oy",
        business_id="1234567-1",
        name=name,
        email=email,
        phone="+358 40 555 1234",
        job_role="Verkkoasiantuntija",
        language="fi",
        verify_url=lambda token: f"/portal/access/verify/{token}/",
    )


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_access_requests_approved_and_declined_on_a_phone(
    agent_on_a_phone, screenshot, locale, lang
):
    approve = ask_for_access("Uusi Henkilö", f"uusi-{lang}@esimerkki.fi")
    decline = ask_for_access("Toinen Henkilö", f"toinen-{lang}@esimerkki.fi")
    page = agent_on_a_phone(locale)
    page.goto("/desk/access/")
    fits(page)
    screenshot(page, f"desk-phone-access-{lang}")

    with page.expect_navigation():
        page.locator(f"form[action='/desk/access/{approve.pk}/approve/'] button").click()
    assert "Uusi Henkilö" in page.locator(".messages").inner_text()
    row = page.locator(f'tr[data-access="{decline.pk}"]')
    row.locator("details.decline summary").click()
    row.locator("textarea[name=reason]").fill("Ei yrityksen työntekijä.")
    with page.expect_navigation():
        row.locator("button.danger").click()
    assert said(lang, "Declined: %(name)s was told the reason.", name="Toinen Henkilö") in (
        page.locator(".messages").inner_text()
    )
    fits(page)
    approve.refresh_from_db()
    decline.refresh_from_db()
    assert approve.status != decline.status == AccessRequest.Status.DECLINED


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_rma_from_the_workspace_on_a_phone(agent_on_a_phone, screenshot, locale, lang):
    ticket = a_ticket(
        "Kytkin ei käynnisty",
        hardware_fault=True,
        delivery_address="Esimerkki Oy\nEsimerkkikatu 1\n00100 Helsinki",
        delivery_contact="Teemu Tekninen, +358 40 111 2222",
    )
    page = agent_on_a_phone(locale)
    page.goto(f"/desk/t/{ticket.tracking_number}/")
    page.get_by_role("link", name=said(lang, "Start an RMA")).click()
    page.wait_for_url(f"**/rma/new/{ticket.tracking_number}/")
    page.locator("input[name=part_number]").fill("C9300-48P-E")
    fits(page)
    page.get_by_role("button", name=said(lang, "Open the RMA")).click()
    page.wait_for_url("**/rma/*/")
    fits(page)
    assert Rma.objects.filter(ticket=ticket).count() == 1
    page.goto("/rma/")
    assert ticket.tracking_number in page.locator("table.rmas").inner_text()
    fits(page)
    screenshot(page, f"desk-phone-rma-{lang}")
