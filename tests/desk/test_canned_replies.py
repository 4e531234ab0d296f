"""Canned replies: one function fills the placeholders in the contact's language, Helsinki time."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.sites import site

from santacare.core.time import now
from santacare.customers.models import Language
from santacare.desk.canned import canned_replies_for, fill, next_due
from santacare.desk.models import CannedReply
from santacare.sla.clocks import ClockState, ticket_clocks
from santacare.sla.services import seed_default_targets
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

# 14:30 in Helsinki (UTC+2 in winter).
DUE = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)


@pytest.fixture
def reply():
    return CannedReply.objects.create(
        title="Vastaanotettu",
        body_fi="Hei {contact}, pyyntö {tracking_number} on käsittelyssä. "
        "Vastaamme {due} mennessä.",
        body_en="Hello {contact}, request {tracking_number} is in hand. We answer by {due}.",
    )


@pytest.fixture
def ticket(alice, alice_device, open_portal_ticket):
    alice.name = "Aada Asiakas"
    alice.save()
    return open_portal_ticket(alice, alice_device)


def test_canned_reply_is_filled_in_finnish_for_a_finnish_contact(reply, ticket):
    text = fill(reply, ticket, due=DUE)

    assert text == (
        f"Hei Aada Asiakas, pyyntö {ticket.tracking_number} on käsittelyssä. "
        "Vastaamme 24.11.2026 14:30 mennessä."
    )


def test_canned_reply_is_filled_in_english_for_an_english_contact(reply, ticket):
    ticket.contact.language = Language.ENGLISH
    ticket.contact.save()

    text = fill(reply, ticket, due=DUE)

    assert text.startswith("Hello Aada Asiakas, request SC-")
    assert text.endswith("We answer by 24.11.2026 14:30.")


def test_english_contact_gets_the_finnish_text_when_no_english_was_written(ticket):
    ticket.contact.language = Language.ENGLISH
    only_finnish = CannedReply(title="Vain suomi", body_fi="Kiitos, {contact}.")

    assert fill(only_finnish, ticket, due=None) == "Kiitos, Aada Asiakas."


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("{unknown} ja {contact}", "{unknown} ja Aada Asiakas"),
        ("{ contact }", "{ contact }"),
        ("{{contact}}", "{Aada Asiakas}"),
        ("{", "{"),
        ("{due}", "{due}"),  # no running clock: left for the agent to fill in
        ("%(contact)s {0} {}", "%(contact)s {0} {}"),
    ],
)
def test_unknown_or_empty_placeholders_stay_visible_and_nothing_fails(ticket, typed, shown):
    canned = CannedReply(title="x", body_fi=typed)

    assert fill(canned, ticket, due=None) == shown


def test_due_is_the_next_running_clock_in_helsinki_time(alice, alice_device, open_portal_ticket):
    seed_default_targets()
    fresh = open_portal_ticket(alice, alice_device, received_at=now())
    CannedReply.objects.create(title="Ajat", body_fi="{due}")
    clocks = ticket_clocks(fresh, now=now())
    running = [clock.due for clock in clocks if clock.state == ClockState.RUNNING]

    [filled] = canned_replies_for(fresh, clocks=clocks, agent=AgentFactory())

    assert running
    assert next_due(clocks) == min(running)
    assert filled.text != "{due}"
    assert filled.text.count(":") == 1


def test_only_active_replies_are_offered_in_the_reply_composer(agent_client, reply, ticket):
    CannedReply.objects.create(title="Vanha", body_fi="Ei enää käytössä.", is_active=False)

    text = agent_client.get(f"/desk/t/{ticket.tracking_number}/").content.decode()

    assert f'data-text="Hei Aada Asiakas, pyyntö {ticket.tracking_number}' in text
    assert "Vanha" not in text


def test_canned_reply_text_is_escaped_in_the_page(agent_client, ticket):
    CannedReply.objects.create(title="<b>x</b>", body_fi='"><script>alert(1)</script>')

    text = agent_client.get(f"/desk/t/{ticket.tracking_number}/").content.decode()

    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;" in text


def test_admin_manages_canned_replies(admin_client, reply):
    assert CannedReply in site._registry
    assert admin_client.get("/admin/desk/cannedreply/").status_code == 200
    assert admin_client.get(f"/admin/desk/cannedreply/{reply.pk}/change/").status_code == 200
