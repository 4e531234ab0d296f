"""The agent's ticket workspace in a real browser, in Finnish and English (issue 13).

Reply and internal note are two composers that look different, the note being the default (R4);
merge asks first and shows both tickets; a canned reply is inserted filled in for the contact;
files can be dropped onto the composer; the keyboard shortcuts and their `?` help; the notice
that another agent has the ticket open, and a customer's reply appearing without a reload.
"""

import pytest

from santacare.customers.models import Contact
from santacare.desk.models import CannedReply
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Message, Ticket

pytestmark = pytest.mark.e2e

AGENT = "agentti@santacare.example"
LEAD = "palvelupaallikko@santacare.example"
CUSTOMER = "tekninen@esimerkki.fi"
LANGUAGES = [("fi-FI", "fi"), ("en-US", "en")]
TEXT = {
    "fi": {
        "note_button": "Tallenna sisäinen muistiinpano",
        "reply_button": "Lähetä vastaus asiakkaalle",
        "merge_title": "Yhdistetäänkö",
        "merge_button": "Yhdistä",
        "shortcuts": "Pikanäppäimet",
        "presence": "on myös avannut tämän tukipyynnön",
        "canned": "Hei Teemu Tekninen",
        "saved": "Tila tallennettu: Käsittelyssä.",
    },
    "en": {
        "note_button": "Save internal note",
        "reply_button": "Send reply to customer",
        "merge_title": "Merge",
        "merge_button": "Merge",
        "shortcuts": "Keyboard shortcuts",
        "presence": "also has this ticket open",
        "canned": "Hello Teemu Tekninen",
        "saved": "Status saved: In progress.",
    },
}


def a_ticket(subject="Kytkin ei vastaa", serial="FOC2233X0AB"):
    return open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=Contact.objects.get(email=CUSTOMER),
            serial_number=serial,
            subject=subject,
            description=f"{subject}: ei vastaa pingiin.",
        )
    ).ticket


def no_sideways_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
        " document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className + '#'"
        " + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 12)"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px: {wide}"


def composer_colour(page):
    return page.locator("#composer .compose-body").evaluate(
        "element => getComputedStyle(element).borderTopColor"
    )


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_r4_reply_and_internal_note_are_two_composers_and_the_note_is_the_default(
    new_page, demo_data, login, screenshot, locale, lang
):
    ticket = a_ticket()
    page = new_page(locale=locale, width=1280, height=900)
    login(page, AGENT, demo_data)
    page.goto(f"/desk/t/{ticket.tracking_number}/")

    assert page.locator("input[name=kind][value=note]").is_checked()
    assert page.locator("input[name=internal]").count() == 0
    send = page.locator("#composer button[type=submit]")
    assert send.inner_text().strip() == TEXT[lang]["note_button"]
    note_colour = composer_colour(page)
    page.locator("textarea[name=body]").fill("Varaosa hyllyssä 3.")
    screenshot(page, f"workspace-note-{lang}-1280")
    with page.expect_navigation():
        send.click()

    page.locator("h1").click()  # focus out of any field: shortcuts are for the page
    page.keyboard.press("r")
    assert page.locator("input[name=kind][value=reply]").is_checked()
    assert page.evaluate("document.activeElement.name") == "body"
    assert composer_colour(page) != note_colour
    assert send.inner_text().strip() == TEXT[lang]["reply_button"]
    # Typing in the message is typing: "n" inside the text does not switch back to a note.
    page.keyboard.type("Vaihdamme virtalähteen huomenna, n")
    assert page.locator("input[name=kind][value=reply]").is_checked()
    screenshot(page, f"workspace-reply-{lang}-1280")
    with page.expect_navigation():
        send.click()

    kinds = list(ticket.messages.order_by("id").values_list("visibility", flat=True))
    assert kinds == ["public", Message.Visibility.INTERNAL, Message.Visibility.PUBLIC]
    assert page.locator("#messages article[data-visibility=internal]").count() == 1
    # After sending, the composer is back on the safe default.
    assert page.locator("input[name=kind][value=note]").is_checked()

    page.locator("select[name=status]").select_option("in_progress")
    cue = page.locator("#saved-cue .saved")
    cue.wait_for()
    assert TEXT[lang]["saved"] in cue.inner_text()
    assert page.locator("#saved-cue").get_attribute("role") == "status"
    assert "→" in page.locator("#events li").last.inner_text()
    screenshot(page, f"workspace-saved-{lang}-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    screenshot(page, f"workspace-{lang}-390")


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_merge_asks_first_showing_both_tickets(
    new_page, demo_data, login, screenshot, locale, lang
):
    keeps = a_ticket("Kytkin ei vastaa")
    duplicate = a_ticket("Sama kytkin taas")
    page = new_page(locale=locale, width=1280, height=900)
    login(page, AGENT, demo_data)
    page.goto(f"/desk/t/{duplicate.tracking_number}/")

    merge_form = page.locator(f"form[action='/desk/t/{duplicate.tracking_number}/merge/']")
    merge_form.locator("input[name=tracking_number]").fill(keeps.tracking_number)
    with page.expect_navigation():
        merge_form.locator("button").click()

    assert TEXT[lang]["merge_title"] in page.locator("h1").inner_text()
    assert page.locator(".merge-duplicate").inner_text().count("Sama kytkin taas") == 1
    assert "Kytkin ei vastaa" in page.locator(".merge-target").inner_text()
    assert page.locator("[data-messages]").all_inner_texts() == ["1", "1"]
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None  # nothing happened yet
    no_sideways_scroll(page)
    screenshot(page, f"workspace-merge-confirm-{lang}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    screenshot(page, f"workspace-merge-confirm-{lang}-390")

    with page.expect_navigation():
        page.locator("button[name=confirm]").click()

    assert page.url.endswith(f"/desk/t/{keeps.tracking_number}/")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keeps
    assert duplicate.status == Ticket.Status.CLOSED


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_canned_reply_is_inserted_in_the_contacts_language(
    new_page, demo_data, login, screenshot, locale, lang
):
    Contact.objects.filter(email=CUSTOMER).update(language=lang)
    CannedReply.objects.create(
        title="Vastaanotettu / Received",
        body_fi="Hei {contact}, pyyntö {tracking_number} on käsittelyssä.",
        body_en="Hello {contact}, request {tracking_number} is in hand.",
    )
    ticket = a_ticket()
    page = new_page(locale=locale, width=1280, height=900)
    login(page, AGENT, demo_data)
    page.goto(f"/desk/t/{ticket.tracking_number}/")

    assert not page.locator("#canned-pick").is_visible()  # canned replies are for replies
    page.locator("label.tab-reply").click()
    page.locator("#canned-pick").select_option(label="Vastaanotettu / Received")
    page.locator("[data-canned-insert]").click()

    body = page.locator("textarea[name=body]").input_value()
    assert body == (
        f"{TEXT[lang]['canned']}, "
        + ("pyyntö" if lang == "fi" else "request")
        + f" {ticket.tracking_number} "
        + ("on käsittelyssä." if lang == "fi" else "is in hand.")
    )
    screenshot(page, f"workspace-canned-{lang}-1280")


def test_a_file_dropped_onto_the_composer_is_attached(new_page, demo_data, login):
    ticket = a_ticket()
    page = new_page(locale="fi-FI", width=1280, height=900)
    login(page, AGENT, demo_data)
    page.goto(f"/desk/t/{ticket.tracking_number}/")
    page.locator("textarea[name=body]").fill("Loki liitteenä.")

    page.locator("#composer").evaluate(
        """form => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["show version"], "loki.txt", {type: "text/plain"}));
            for (const type of ["dragover", "drop"]) {
                form.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true,
                                                         cancelable: true}));
            }
        }"""
    )
    assert page.locator("#composer input[type=file]").evaluate("input => input.files.length") == 1
    with page.expect_navigation():
        page.locator("#composer button[type=submit]").click()

    note = ticket.messages.get(body="Loki liitteenä.")
    assert note.visibility == Message.Visibility.INTERNAL
    assert list(note.attachments.values_list("filename", flat=True)) == ["loki.txt"]


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_shortcut_help_opens_with_question_mark_and_never_while_typing(
    new_page, demo_data, login, screenshot, csp_violations, locale, lang
):
    ticket = a_ticket()
    page = new_page(locale=locale, width=1280, height=900)
    violations = csp_violations(page)
    login(page, AGENT, demo_data)
    page.goto(f"/desk/t/{ticket.tracking_number}/")
    dialog = page.locator("dialog#shortcuts")

    page.locator("textarea[name=body]").type("Miksi? ")
    assert not dialog.is_visible()
    assert page.locator("textarea[name=body]").input_value() == "Miksi? "

    page.locator("h1").click()
    page.keyboard.press("?")
    assert dialog.is_visible()
    assert TEXT[lang]["shortcuts"] in dialog.inner_text()
    assert "g" in dialog.locator("kbd").all_inner_texts()
    screenshot(page, f"workspace-shortcuts-{lang}-1280")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()

    with page.expect_navigation():
        page.keyboard.press("g")
        page.keyboard.press("q")
    assert page.url.endswith("/desk/")
    # The same keys on every desk page: on the queue, / puts the cursor in its search.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("?")
    assert dialog.is_visible()
    assert violations == []


def test_another_agent_is_shown_and_a_customer_reply_arrives_without_reload(
    new_page, demo_data, login, screenshot, csp_violations
):
    ticket = a_ticket()
    lead = new_page(locale="en-US", width=1280, height=900)
    login(lead, LEAD, demo_data)
    lead.goto(f"/desk/t/{ticket.tracking_number}/")
    page = new_page(locale="en-US", width=1280, height=900)
    violations = csp_violations(page)
    login(page, AGENT, demo_data)
    page.goto(f"/desk/t/{ticket.tracking_number}/")

    assert TEXT["en"]["presence"] in page.locator("#presence").inner_text()
    assert "Sami Palvelupäällikkö" in page.locator("#presence").inner_text()

    add_message(
        ticket,
        body="Kytkin käynnistyi uudelleen itsestään.",
        channel=Channel.PORTAL,
        author_contact=Contact.objects.get(email=CUSTOMER),
    )
    arrived = page.locator("#messages article", has_text="käynnistyi uudelleen")
    arrived.wait_for(timeout=25_000)  # one poll interval and a little
    screenshot(page, "workspace-presence-en-1280")
    assert violations == []


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_phone_intake_lists_the_devices_open_ticket_first(
    new_page, demo_data, login, screenshot, locale, lang
):
    existing = a_ticket("Kytkin ei vastaa")
    page = new_page(locale=locale, width=1280, height=900)
    login(page, AGENT, demo_data)
    page.goto("/desk/phone/")
    page.locator("#lookup-q").fill("FOC2233X0AB")
    page.locator("#results a[data-pick=device]").first.click()

    listed = page.locator(".device-tickets")
    listed.wait_for()
    assert existing.tracking_number in listed.inner_text()
    # Above the call form, so it is seen before a duplicate is typed in.
    above = page.evaluate(
        "document.querySelector('.device-tickets').compareDocumentPosition("
        "document.querySelector('#intake .cards')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert above
    screenshot(page, f"workspace-phone-device-tickets-{lang}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    screenshot(page, f"workspace-phone-device-tickets-{lang}-390")

    with page.expect_navigation():
        listed.locator(f"a[data-add-to='{existing.tracking_number}']").click()
    assert page.url.endswith(f"/desk/t/{existing.tracking_number}/#composer")
