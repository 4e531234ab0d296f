"""Following a ticket in the portal: list, page, replies (R4), attachments, close and reopen."""

import pytest

from santacare.portal.views import devices, tickets
from santacare.sla.services import seed_default_targets
from santacare.tickets.attachments import store_attachment
from santacare.tickets.conversation import add_message
from santacare.tickets.models import Attachment, Channel, Message, Ticket
from tests.factories import AgentFactory, ContactFactory, DeviceFactory, UserFactory
from tests.sla.conftest import clock_rows

pytestmark = pytest.mark.django_db


def page_of(ticket):
    return f"/portal/tickets/{ticket.tracking_number}/"


def test_r4_a_portal_reply_joins_the_same_thread(alice_client, alice, alice_device, open_for):
    ticket = open_for(alice, alice_device)

    response = alice_client.post(page_of(ticket) + "reply/", {"body": "More detail: port 7 too."})

    assert response.status_code == 302
    message = ticket.messages.order_by("id").last()
    assert message.body == "More detail: port 7 too."
    assert message.channel == Channel.PORTAL
    assert message.direction == Message.Direction.INBOUND
    assert "More detail: port 7 too." in alice_client.get(page_of(ticket)).content.decode()


def test_r4_mail_both_ways_appears_in_the_portal(alice_client, alice, alice_device, open_for):
    ticket = open_for(alice, alice_device)
    agent = AgentFactory(full_name="Aino Agentti")
    add_message(
        ticket, body="Reply sent by mail from Alice", channel=Channel.EMAIL, author_contact=alice
    )
    add_message(ticket, body="Please power-cycle it.", channel=Channel.EMAIL, author_user=agent)

    text = alice_client.get(page_of(ticket)).content.decode()

    assert "Reply sent by mail from Alice" in text
    assert "Please power-cycle it." in text


def test_internal_notes_and_held_mail_are_not_shown(alice_client, alice, alice_device, open_for):
    ticket = open_for(alice, alice_device)
    agent = AgentFactory()
    add_message(
        ticket, body="Customer is grumpy", channel=Channel.PHONE, author_user=agent, internal=True
    )
    held = add_message(ticket, body="Spoofed mail", channel=Channel.EMAIL, author_contact=alice)
    Message.objects.filter(pk=held.message.pk).update(held_for_review=True)

    text = alice_client.get(page_of(ticket)).content.decode()

    assert "Customer is grumpy" not in text
    assert "Spoofed mail" not in text


def test_an_empty_reply_is_a_field_error(alice_client, alice, alice_device, open_for):
    ticket = open_for(alice, alice_device)

    response = alice_client.post(page_of(ticket) + "reply/", {"body": "   "})

    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"]
    assert ticket.messages.count() == 1


def test_a_reply_with_files_stores_them_and_serves_them_as_downloads(
    alice_client, alice, alice_device, open_for
):
    ticket = open_for(alice, alice_device)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("log <1>.html", b"<script>alert(1)</script>", "text/html")
    alice_client.post(page_of(ticket) + "reply/", {"body": "Log attached", "files": [upload]})

    attachment = Attachment.objects.get()
    response = alice_client.get(f"/portal/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert (
        f"/portal/attachments/{attachment.pk}/"
        in alice_client.get(page_of(ticket)).content.decode()
    )


def test_an_oversized_file_is_refused_and_the_reply_kept(
    alice_client, alice, alice_device, open_for, settings
):
    settings.SANTACARE_MAX_ATTACHMENT_BYTES = 10
    ticket = open_for(alice, alice_device)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("big.txt", b"x" * 11, "text/plain")
    response = alice_client.post(
        page_of(ticket) + "reply/", {"body": "Too big", "files": [upload]}, follow=True
    )

    assert not Attachment.objects.exists()
    assert ticket.messages.filter(body="Too big").exists()
    assert "big.txt" in response.content.decode()


def test_close_and_reopen(alice_client, alice, alice_device, open_for):
    ticket = open_for(alice, alice_device)

    alice_client.post(page_of(ticket) + "status/", {"action": "close"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED

    alice_client.post(page_of(ticket) + "status/", {"action": "reopen"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_an_unknown_status_action_is_a_clear_400(alice_client, alice, alice_device, open_for):
    ticket = open_for(alice, alice_device)

    response = alice_client.post(page_of(ticket) + "status/", {"action": "delete"})

    assert response.status_code == 400


def test_the_list_filters_mine_status_and_search(alice_client, alice, alice_device, open_for):
    colleague = ContactFactory(customer=alice.customer)
    mine = open_for(alice, alice_device, description="Fan noise")
    theirs = open_for(colleague, alice_device, description="Console port broken")
    done = open_for(alice, alice_device, description="Old question")
    Ticket.objects.filter(pk=done.pk).update(status=Ticket.Status.CLOSED)

    def numbers(**params):
        response = alice_client.get("/portal/tickets/", params)
        return {t.tracking_number for t in response.context["tickets"]}

    assert numbers() == {mine.tracking_number, theirs.tracking_number}
    assert numbers(scope="mine") == {mine.tracking_number}
    assert numbers(status="done") == {done.tracking_number}
    assert numbers(status="all", q=theirs.tracking_number.lower()) == {theirs.tracking_number}
    assert numbers(status="all", q="console") == {theirs.tracking_number}
    assert len(numbers(status="all", q=alice_device.serial_number)) == 3
    assert numbers(status="nonsense") == numbers()


def test_the_list_pages_by_keyset(alice_client, alice, alice_device, open_for, monkeypatch):
    monkeypatch.setattr(tickets, "PAGE_SIZE", 2)
    opened = [open_for(alice, alice_device, description=f"Ticket {n}") for n in range(5)]

    seen, url = [], "/portal/tickets/"
    for _ in range(5):  # bounded: 3 pages expected
        response = alice_client.get(url)
        seen += [t.tracking_number for t in response.context["tickets"]]
        if not response.context["next_url"]:
            break
        url = "/portal/tickets/" + response.context["next_url"]

    assert seen == [t.tracking_number for t in reversed(opened)]


def test_a_hand_edited_page_cursor_shows_the_first_page(
    alice_client, alice, alice_device, open_for
):
    ticket = open_for(alice, alice_device)

    listed = alice_client.get("/portal/tickets/", {"after": "garbage"})
    devices_page = alice_client.get("/portal/devices/", {"after": "x:y"})

    assert [t.tracking_number for t in listed.context["tickets"]] == [ticket.tracking_number]
    assert [d.serial_number for d, _ in devices_page.context["items"]] == [
        alice_device.serial_number
    ]


def test_the_ticket_list_costs_the_same_for_1_and_3_rows(
    alice_client, alice, alice_device, open_for, django_assert_num_queries
):
    open_for(alice, alice_device)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        alice_client.get("/portal/tickets/")
    open_for(alice, alice_device)
    open_for(ContactFactory(customer=alice.customer), alice_device)

    with django_assert_num_queries(len(one)):
        response = alice_client.get("/portal/tickets/")
    assert len(response.context["tickets"]) == 3


def test_the_device_list_costs_the_same_for_1_and_3_rows(
    alice_client, alice, alice_device, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        alice_client.get("/portal/devices/")
    DeviceFactory.create_batch(2, customer=alice.customer)

    with django_assert_num_queries(len(one)):
        response = alice_client.get("/portal/devices/")
    assert len(response.context["items"]) == 3


def test_the_ticket_page_costs_the_same_for_1_and_3_messages(
    alice_client, alice, alice_device, open_for, django_assert_num_queries
):
    ticket = open_for(alice, alice_device)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        alice_client.get(page_of(ticket))
    agent = AgentFactory()
    for n in range(2):
        result = add_message(ticket, body=f"Reply {n}", channel=Channel.EMAIL, author_user=agent)
        store_attachment(result.message, filename=f"{n}.txt", content_type="text/plain", data=b"x")

    with django_assert_num_queries(len(one)):
        response = alice_client.get(page_of(ticket))
    assert len(response.context["conversation"]) == 3


def test_the_home_page_sends_each_person_to_their_work(client, alice):
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    client.force_login(alice.user)
    assert client.get("/")["Location"] == "/portal/"

    client.force_login(AgentFactory())
    assert client.get("/")["Location"] == "/desk/"


def test_r13_the_ticket_page_shows_the_replacement_part(
    alice_client, alice, alice_device, open_for
):
    from santacare.rma.services import open_rma

    ticket = open_for(
        alice,
        alice_device,
        hardware_fault=True,
        delivery_address="Alice Oy\nTestikatu 1",
        delivery_contact="Alice",
    )
    before = alice_client.get(page_of(ticket))
    open_rma(ticket, by=AgentFactory(), part_number="C9300-PWR-715WAC", part_description="PSU")

    after = alice_client.get(page_of(ticket)).content.decode()

    assert before.context["rmas"] == []
    assert "C9300" in after or "PSU" in after
    assert 'class="rma-panel"' in after


def test_r5_the_portal_links_to_the_companys_sla_report(alice_client):
    text = alice_client.get("/portal/").content.decode()

    assert 'href="/reports/mine/"' in text


def test_r15_the_portal_shows_the_companys_service_delivery_manager(alice_client, alice):
    alice.customer.service_delivery_manager = AgentFactory(
        full_name="Sami Palvelupäällikkö", email="sami@santacare.example"
    )
    alice.customer.save(update_fields=["service_delivery_manager"])

    text = alice_client.get("/portal/", headers={"accept-language": "en"}).content.decode()

    assert "Your Service Delivery Manager" in text
    assert "Sami Palvelupäällikkö" in text
    assert 'href="mailto:sami@santacare.example"' in text


def test_show_more_with_htmx_returns_only_the_next_rows(
    alice_client, alice, alice_device, open_for, monkeypatch
):
    monkeypatch.setattr(tickets, "PAGE_SIZE", 2)
    for n in range(3):
        open_for(alice, alice_device, description=f"Ticket {n}")
    first = alice_client.get("/portal/tickets/")

    more = alice_client.get(
        "/portal/tickets/" + first.context["next_url"], headers={"hx-request": "true"}
    )

    assert more.status_code == 200
    assert "<html" not in more.content.decode()
    assert len(more.context["tickets"]) == 1
    assert more.context["next_url"] is None


def test_the_device_list_pages_and_searches(alice_client, alice, monkeypatch):
    monkeypatch.setattr(devices, "PAGE_SIZE", 2)
    serials = sorted(
        d.serial_number for d in DeviceFactory.create_batch(3, customer=alice.customer)
    )
    first = alice_client.get("/portal/devices/")
    second = alice_client.get("/portal/devices/" + first.context["next_url"])

    listed = [d.serial_number for d, _ in first.context["items"] + second.context["items"]]
    assert listed == serials
    found = alice_client.get("/portal/devices/", {"q": serials[1].lower()})
    assert [d.serial_number for d, _ in found.context["items"]] == [serials[1]]


def test_r5_a_ticket_closed_before_any_response_shows_its_response_clock_as_not_applicable(
    alice_client, alice, alice_device, open_for
):
    seed_default_targets()
    ticket = open_for(alice, alice_device)
    alice_client.post(page_of(ticket) + "status/", {"action": "close"})

    text = alice_client.get(page_of(ticket)).content.decode()

    states = clock_rows(text)
    assert states["Vasteaika"][0] == "not_applicable"
    assert states["Vasteaika"][1].startswith("ei sovellu")
    assert states["Palautusaika"][0] == "met"
