"""The ticket workspace: conversation, changes by htmx, SLA, entitlement, merge and link."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from santacare.accounts.models import User
from santacare.core.time import now
from santacare.sla.notifications import sweep
from santacare.sla.services import seed_default_targets
from santacare.tickets.models import Channel, Event, Message, Ticket
from santacare.tickets.services import change_priority, change_status, merge_tickets
from tests.desk.conftest import OFFICE_HOURS
from tests.factories import AgentFactory, UserFactory
from tests.sla.conftest import clock_rows

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def ticket(alice, alice_device, open_portal_ticket):
    return open_portal_ticket(alice, alice_device)


def url(ticket, action=""):
    return f"/desk/t/{ticket.tracking_number}/{action + '/' if action else ''}"


def test_workspace_shows_customer_device_entitlement_and_log(agent_client, ticket):
    response = agent_client.get(url(ticket))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Alice Oy" in text
    assert "FOC2233X0AB" in text
    assert ticket.contract_number in text
    assert "SantaCare Basic" in text
    assert "Valid contract" in text
    assert "Ticket opened" in text


def test_unknown_or_malformed_tracking_number_is_404(agent_client, ticket):
    assert agent_client.get("/desk/t/SC-1000000/").status_code == 404
    assert agent_client.get("/desk/t/<script>/").status_code == 404
    assert agent_client.get("/desk/t/SC-12/").status_code == 404


def test_lower_case_tracking_number_finds_the_ticket(agent_client, ticket):
    assert agent_client.get(url(ticket).lower()).status_code == 200


def test_r4_public_reply_and_internal_note_look_different(agent_client, ticket):
    agent_client.post(url(ticket, "reply"), {"body": "Vaihdamme virtalähteen.", "kind": "reply"})
    agent_client.post(url(ticket, "reply"), {"body": "Varaosa hyllyssä 3.", "kind": "note"})

    text = agent_client.get(url(ticket)).content.decode()
    assert 'data-visibility="internal"' in text
    assert text.count('data-visibility="public"') == 2
    visibilities = list(ticket.messages.values_list("visibility", "direction"))
    assert visibilities == [
        ("public", "inbound"),
        ("public", "outbound"),
        ("internal", "internal"),
    ]


def test_r5_first_public_reply_stops_the_response_clock(agent_client, ticket):
    agent_client.post(url(ticket, "reply"), {"body": "Hoidamme.", "kind": "reply"})

    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_internal_note_does_not_count_as_a_response(agent_client, ticket):
    agent_client.post(url(ticket, "reply"), {"body": "Vain meille.", "kind": "note"})

    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_empty_reply_is_refused(agent_client, ticket):
    response = agent_client.post(url(ticket, "reply"), {"body": "   ", "kind": "reply"})

    assert response.status_code == 422
    assert "Please correct the following" in response.content.decode()
    assert ticket.messages.count() == 1


def test_reply_with_attachment_can_be_downloaded_by_an_agent(
    agent_client, ticket, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    upload = SimpleUploadedFile("loki.txt", b"show version", content_type="text/plain")

    agent_client.post(
        url(ticket, "reply"), {"body": "Loki liitteenä.", "attachment": upload, "kind": "reply"}
    )

    message = ticket.messages.get(direction=Message.Direction.OUTBOUND)
    attachment = message.attachments.get()
    response = agent_client.get(f"/desk/attachment/{attachment.pk}/")
    assert response.status_code == 200
    assert response.content == b"show version"
    assert response["Content-Disposition"].startswith("attachment;")


def test_status_change_by_htmx_returns_controls_and_the_log(agent_client, ticket):
    response = agent_client.post(
        url(ticket, "status"), {"status": "in_progress"}, headers={"HX-Request": "true"}
    )

    text = response.content.decode()
    assert text.lstrip().startswith('<div id="controls"')
    assert 'hx-swap-oob="true"' in text
    assert "New → In progress" in text
    event = ticket.events.get(kind=Event.Kind.STATUS_CHANGED)
    assert event.actor_label == "Aino Agentti"


def test_status_change_without_htmx_redirects_back(agent_client, ticket):
    response = agent_client.post(url(ticket, "status"), {"status": "resolved"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.resolved_at is not None


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("status", {"status": "bogus"}),
        ("priority", {"priority": "P0"}),
        ("assign", {"assignee": "x"}),
    ],
)
def test_malformed_changes_are_refused_plainly(agent_client, ticket, action, data):
    response = agent_client.post(url(ticket, action), data, headers={"HX-Request": "true"})

    assert response.status_code == 400
    assert not ticket.events.exclude(kind=Event.Kind.OPENED).exists()


def test_assign_to_a_customer_user_is_refused(agent_client, ticket, alice):
    from tests.factories import UserFactory

    customer_user = UserFactory()

    response = agent_client.post(url(ticket, "assign"), {"assignee": customer_user.pk})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_take_assigns_to_me_and_priority_is_logged(agent_client, agent, ticket):
    agent_client.post(url(ticket, "assign"), {"take": "1"})
    agent_client.post(url(ticket, "priority"), {"priority": "P2"})

    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert ticket.events.get(kind=Event.Kind.PRIORITY_CHANGED).data == {"old": "P3", "new": "P2"}


def test_r8_phone_call_flag_is_shown_and_cleared(agent_client, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(phone_call_required=True)

    assert 'data-rule="R8"' in agent_client.get(url(ticket)).content.decode()
    agent_client.post(url(ticket, "called"))

    ticket.refresh_from_db()
    assert not ticket.phone_call_required
    assert 'data-rule="R8"' not in agent_client.get(url(ticket)).content.decode()


def test_merge_moves_the_agent_to_the_surviving_ticket(
    agent_client, ticket, alice, alice_device, open_portal_ticket
):
    duplicate = open_portal_ticket(alice, alice_device, description="Sama vika.")

    response = agent_client.post(
        url(duplicate, "merge"),
        {"tracking_number": ticket.tracking_number.lower(), "confirm": "yes"},
    )

    assert response.url == url(ticket)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == ticket
    text = agent_client.get(url(ticket)).content.decode()
    assert "Sama vika." in text  # the duplicate's messages show on the surviving ticket


def test_merge_with_another_customers_ticket_is_refused(
    agent_client, ticket, charlie, charlie_device, open_portal_ticket
):
    foreign = open_portal_ticket(charlie, charlie_device)

    response = agent_client.post(
        url(foreign, "merge"), {"tracking_number": ticket.tracking_number}, follow=True
    )

    assert "Only tickets of the same customer can be merged." in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.merged_into is None


@pytest.mark.parametrize("typed", ["", "SC-1000000", "<b>x</b>", "x" * 100])
def test_merge_or_link_to_a_missing_ticket_says_so(agent_client, ticket, typed):
    for action in ("merge", "link"):
        response = agent_client.post(url(ticket, action), {"tracking_number": typed}, follow=True)
        assert response.status_code == 200
        assert "No ticket has that tracking number." in response.content.decode()


def test_link_and_unlink(agent_client, ticket, charlie, charlie_device, open_portal_ticket):
    other = open_portal_ticket(charlie, charlie_device)

    agent_client.post(url(ticket, "link"), {"tracking_number": other.tracking_number})
    assert other.tracking_number in agent_client.get(url(ticket)).content.decode()

    agent_client.post(url(ticket, "unlink") + f"{other.tracking_number}/")
    assert not ticket.related_tickets.exists()


def test_sla_clocks_are_shown_with_their_explanation(agent_client, ticket):
    seed_default_targets()

    text = agent_client.get(url(ticket)).content.decode()

    assert 'class="sla-clocks"' in text
    assert "<details>" in text


def test_r5_a_ticket_the_customer_closed_before_any_response_shows_response_not_applicable(
    agent_client, alice, ticket
):
    seed_default_targets()
    change_status(ticket, status=Ticket.Status.CLOSED, by_contact=alice)

    text = agent_client.get(url(ticket)).content.decode()

    state, words = clock_rows(text)["Response"]
    assert state == "not_applicable"
    assert words.startswith("not applicable")
    assert "closed by the customer" in text


def test_at_sla_risk_queue_lists_breached_tickets_first(
    agent_client, agent, alice, alice_device, open_portal_ticket
):
    seed_default_targets()
    old = open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS - timedelta(days=30))
    open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS + timedelta(days=3650))
    sweep(now=now())  # the minutely SLA sweep records its warnings and breaches

    response = agent_client.get("/desk/", {"queue": "at_risk"})

    assert [row.ticket.tracking_number for row in response.context["page"].items] == [
        old.tracking_number
    ]
    counts = {name: count for name, _, count in response.context["queue_tabs"]}
    assert counts["at_risk"] == 1
    # The row says its clock is breached, in words as well as colour.
    assert 'class="clock clock-breached' in response.text
    assert "sla-breached" in response.text


@pytest.mark.parametrize("count", [1, 3])
def test_workspace_queries_do_not_grow_with_messages_and_events(
    agent_client, agent, ticket, django_assert_num_queries, count
):
    seed_default_targets()
    for n in range(count):
        agent_client.post(url(ticket, "reply"), {"body": f"Viesti {n}", "kind": "note"})
        change_priority(ticket, priority=["P1", "P2", "P3"][n], by=AgentFactory())

    # Presence lives in the shared cache, Redis in production: no database query for it.
    # session, user, the ticket, its device (apart: one join of thirteen tables took longer
    # to plan than the two queries take to run), the conversation and its attachments, the
    # event log (which the clocks read too), the RMAs (the replacement clock's too), SLA
    # targets, the calendar, canned replies, agents to assign to, mail, related and merged
    with override_settings(CACHES=LOCMEM), django_assert_num_queries(15):
        agent_client.get(url(ticket))


def test_r4_workspace_shows_what_was_mailed_and_whether_it_went(agent_client, ticket):
    agent_client.post(url(ticket, "reply"), {"body": "Vaihdamme virtalähteen.", "kind": "reply"})

    text = agent_client.get(url(ticket)).content.decode()

    assert "data-mail-state=" in text
    assert ticket.contact.email in text
    # Each mail says what it was: its subject, not an empty type before the arrow.
    assert f"[{ticket.tracking_number}]" in text.split('class="mail-sent"')[1]
    assert '<li data-mail-state="queued"> →' not in text


def test_r13_hardware_fault_ticket_offers_to_start_an_rma(
    agent_client, alice, alice_device, open_portal_ticket
):
    faulty = open_portal_ticket(
        alice,
        alice_device,
        hardware_fault=True,
        delivery_address="Alice Oy\nTestikatu 1\n00100 Helsinki",
        delivery_contact="Alice, +358 40 1",
    )

    text = agent_client.get(url(faulty)).content.decode()

    assert f"/rma/new/{faulty.tracking_number}/" in text


def test_r5_every_desk_user_finds_the_sla_report_in_the_navigation(client, agent_client, ticket):
    """Agents and team leads have the same rights (docs/SECURITY.md), the report included, so
    the link is not hidden from the agents who may open it."""
    lead = AgentFactory(role=User.Role.TEAM_LEAD)
    client.force_login(lead)

    assert 'href="/reports/"' in client.get("/desk/").content.decode()
    assert 'href="/reports/"' in agent_client.get("/desk/").content.decode()
    assert agent_client.get("/reports/").status_code == 200


def test_r4_an_agents_reply_is_recorded_as_written_in_the_desk_and_shown_so_to_the_customer(
    agent_client, ticket, alice
):
    agent_client.post(url(ticket, "reply"), {"body": "Vaihdamme virtalähteen.", "kind": "reply"})

    reply = ticket.messages.get(body="Vaihdamme virtalähteen.")
    assert reply.channel == Channel.DESK
    alice.user = UserFactory(email=alice.email, full_name=alice.name)
    alice.save(update_fields=["user"])
    customer = Client(headers={"accept-language": "fi"})
    customer.force_login(alice.user)
    page = customer.get(f"/portal/tickets/{ticket.tracking_number}/").content.decode()
    conversation = page.split("Vaihdamme virtalähteen.")[0].rsplit('<li class="msg', 1)[-1]
    assert "Tukipalvelu" in conversation
    assert "Portaali" not in conversation


def test_merge_refusals_are_worded_from_their_code_in_the_agents_language(
    agent, ticket, open_portal_ticket, alice, alice_device
):
    """No view matches English message text: a Finnish agent reads the refusal in Finnish."""
    duplicate = open_portal_ticket(alice, alice_device)
    merge_tickets(duplicate, into=ticket, by=agent)
    finnish = Client(headers={"accept-language": "fi"})
    finnish.force_login(agent)

    again = finnish.post(
        url(duplicate, "merge"), {"tracking_number": ticket.tracking_number}, follow=True
    )
    itself = finnish.post(
        url(ticket, "link"), {"tracking_number": ticket.tracking_number}, follow=True
    )

    assert "Tukipyyntö on jo yhdistetty." in again.content.decode()
    assert "Tukipyyntöä ei voi linkittää itseensä." in itself.content.decode()
