"""The workspace's composers (R4), merge confirmation, the saved cue and the event log."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from santacare.outbox.queries import mail_of_ticket
from santacare.tickets.events import record_event
from santacare.tickets.models import Event, Message, Ticket
from santacare.tickets.services import assign_ticket, change_priority, change_status
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, alice_device, open_portal_ticket):
    return open_portal_ticket(alice, alice_device)


def url(ticket, action=""):
    return f"/desk/t/{ticket.tracking_number}/{action + '/' if action else ''}"


def _chosen(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="kind" value="(\w+)"[^>]*checked', page)


def test_r4_workspace_offers_two_composers_and_opens_on_the_internal_note(agent_client, ticket):
    text = agent_client.get(url(ticket)).content.decode()

    assert 'name="kind" value="note"' in text
    assert 'name="kind" value="reply"' in text
    assert _chosen(text) == ["note"]
    assert 'name="internal"' not in text  # no checkbox that silently decides


def test_r4_a_link_can_open_the_reply_composer(agent_client, ticket):
    text = agent_client.get(url(ticket) + "?compose=reply").content.decode()

    assert _chosen(text) == ["reply"]


@pytest.mark.parametrize(
    "data",
    [{}, {"kind": ""}, {"kind": "public"}, {"kind": "REPLY"}, {"kind": "reply", "internal": "on"}],
    ids=["missing", "empty", "unknown", "wrong-case", "contradicted"],
)
def test_r4_unless_reply_is_chosen_explicitly_the_text_stays_internal(agent_client, ticket, data):
    mails = mail_of_ticket(ticket).count()  # the acknowledgement of the new ticket

    response = agent_client.post(url(ticket, "reply"), {"body": "Tarkistetaan.", **data})

    assert response.status_code == 302
    note = ticket.messages.get(body="Tarkistetaan.")
    assert note.visibility == Message.Visibility.INTERNAL
    assert mail_of_ticket(ticket).count() == mails


def test_r4_reply_chosen_explicitly_is_mailed_to_the_customer(agent_client, ticket):
    mails = mail_of_ticket(ticket).count()

    agent_client.post(url(ticket, "reply"), {"body": "Vaihdamme osan.", "kind": "reply"})

    reply = ticket.messages.get(body="Vaihdamme osan.")
    assert reply.visibility == Message.Visibility.PUBLIC
    assert mail_of_ticket(ticket).count() == mails + 1
    assert mail_of_ticket(ticket).last().recipient == ticket.contact.email


def _duplicate(alice, alice_device, open_portal_ticket):
    return open_portal_ticket(alice, alice_device, subject="Sama vika", description="Taas.")


def test_merge_first_shows_both_tickets_and_changes_nothing(
    agent_client, ticket, alice, alice_device, open_portal_ticket
):
    duplicate = _duplicate(alice, alice_device, open_portal_ticket)
    agent_client.post(url(ticket, "reply"), {"body": "Toinen viesti.", "kind": "note"})

    for response in (
        agent_client.get(url(duplicate, "merge"), {"tracking_number": ticket.tracking_number}),
        agent_client.post(url(duplicate, "merge"), {"tracking_number": ticket.tracking_number}),
    ):
        text = response.content.decode()
        assert response.status_code == 200
        assert f"Merge {duplicate.tracking_number} into {ticket.tracking_number}?" in text
        assert "Sama vika" in text
        assert "Kytkin ei vastaa" in text
        assert text.count("Alice Oy") >= 2
        assert text.count("FOC2233X0AB") == 2
        assert [part.split("<")[0] for part in text.split("data-messages>")[1:]] == ["1", "2"]
        assert 'name="confirm" value="yes"' in text

    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert duplicate.status != Ticket.Status.CLOSED


def test_merge_happens_only_when_confirmed(
    agent_client, ticket, alice, alice_device, open_portal_ticket
):
    duplicate = _duplicate(alice, alice_device, open_portal_ticket)

    response = agent_client.post(
        url(duplicate, "merge"), {"tracking_number": ticket.tracking_number, "confirm": "yes"}
    )

    assert response.url == url(ticket)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == ticket
    assert duplicate.status == Ticket.Status.CLOSED


def test_merge_refusal_is_said_before_any_confirmation(
    agent_client, ticket, charlie, charlie_device, open_portal_ticket
):
    foreign = open_portal_ticket(charlie, charlie_device)

    response = agent_client.get(
        url(foreign, "merge"), {"tracking_number": ticket.tracking_number}, follow=True
    )

    text = response.content.decode()
    assert "Only tickets of the same customer can be merged." in text
    assert 'name="confirm"' not in text


def test_merge_confirmation_is_in_finnish_for_a_finnish_agent(
    agent, ticket, alice, alice_device, open_portal_ticket
):
    duplicate = _duplicate(alice, alice_device, open_portal_ticket)
    finnish = Client(headers={"accept-language": "fi"})
    finnish.force_login(agent)

    text = finnish.get(
        url(duplicate, "merge"), {"tracking_number": ticket.tracking_number}
    ).content.decode()

    assert f"Yhdistetäänkö {duplicate.tracking_number} pyyntöön {ticket.tracking_number}?" in text
    assert "Suljetaan kaksoiskappaleena" in text


@pytest.mark.parametrize(
    ("action", "data", "cue"),
    [
        ("status", {"status": "in_progress"}, "Status saved: In progress."),
        ("priority", {"priority": "P1"}, "Priority saved: P1 – critical: network down."),
        ("assign", {"take": "1"}, "Assignee saved: Aino Agentti."),
    ],
)
def test_a_change_answers_with_a_visible_saved_cue(agent_client, ticket, action, data, cue):
    response = agent_client.post(url(ticket, action), data, headers={"HX-Request": "true"})

    text = response.content.decode()
    assert response.status_code == 200
    assert '<p id="saved-cue" class="saved-cue" role="status"' in text
    assert 'hx-swap-oob="innerHTML"' in text
    assert cue in text


def test_without_htmx_the_saved_cue_is_a_message_after_the_redirect(agent_client, ticket):
    response = agent_client.post(url(ticket, "status"), {"status": "in_progress"}, follow=True)

    assert "Status saved: In progress." in response.content.decode()


def _log(client, ticket):
    text = client.get(url(ticket)).content.decode()
    return text.split('id="events"')[1]


def test_event_log_says_what_changed_from_what_to_what(agent_client, agent, ticket):
    other = AgentFactory(full_name="Olli Operaattori")
    change_status(ticket, status=Ticket.Status.IN_PROGRESS, by=agent)
    change_priority(ticket, priority="P2", by=agent)
    assign_ticket(ticket, agent=other, by=agent)
    assign_ticket(ticket, agent=None, by=agent)
    # As rma.services writes them: the RMA's id and its old and new state.
    record_event(ticket, Event.Kind.RMA_CHANGED, by=agent, rma=7, old="", new="requested")
    record_event(ticket, Event.Kind.RMA_CHANGED, by=agent, rma=7, old="shipped", new="delivered")

    log = _log(agent_client, ticket)

    assert "New → In progress" in log
    assert "P3 – impaired → P2 – severely degraded" in log
    assert "Nobody → Olli Operaattori" in log
    assert "Olli Operaattori → Nobody" in log
    assert "RMA 7: opened, Requested" in log
    assert "RMA 7: Replacement shipped → Replacement delivered" in log
    assert log.count("RMA changed") == 2


def test_event_log_in_finnish(agent, ticket):
    change_status(ticket, status=Ticket.Status.IN_PROGRESS, by=agent)
    record_event(ticket, Event.Kind.RMA_CHANGED, by=agent, rma=7, old="shipped", new="delivered")
    finnish = Client(headers={"accept-language": "fi"})
    finnish.force_login(agent)

    log = _log(finnish, ticket)

    assert "→" in log
    assert "Replacement delivered" not in log


def test_old_events_without_detail_still_render(agent_client, agent, ticket):
    """Rows written before the detail was stored (or by another app) show their label only."""
    record_event(ticket, Event.Kind.RMA_CHANGED, by=agent)
    record_event(ticket, Event.Kind.STATUS_CHANGED, by=agent)
    record_event(ticket, Event.Kind.ASSIGNED, by=agent, new=None)
    record_event(ticket, Event.Kind.PRIORITY_CHANGED, by=agent, old="P9", new=None)
    record_event(ticket, "something_new", by=agent, odd=[1, 2])

    response = agent_client.get(url(ticket))

    assert response.status_code == 200
    log = response.content.decode().split('id="events"')[1]
    assert "RMA changed" in log
    assert "P9 → –" in log
    assert "something_new" in log


def test_a_refused_reply_keeps_the_draft_and_the_chosen_composer(agent_client, ticket, settings):
    settings.SANTACARE_MAX_ATTACHMENT_BYTES = 10
    upload = SimpleUploadedFile("iso.bin", b"x" * 11, content_type="application/octet-stream")

    response = agent_client.post(
        url(ticket, "reply"),
        {"body": "Tässä loki, katso rivi 3.", "kind": "reply", "attachment": upload},
    )

    text = response.content.decode()
    assert response.status_code == 422
    assert "The file is too large to attach." in text
    assert "Tässä loki, katso rivi 3.</textarea>" in text
    assert _chosen(text) == ["reply"]
    assert ticket.messages.count() == 1
