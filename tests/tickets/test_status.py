"""R5: one writer of a ticket's status and its SLA timestamps, whichever channel moves it."""

import re
from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from santacare.sla.clocks import ClockState, ticket_clocks
from santacare.sla.services import seed_default_targets
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket, supply_information
from santacare.tickets.models import Channel, Event, Ticket
from santacare.tickets.services import change_status
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

OPENED = datetime.fromisoformat("2026-06-22T08:30+03:00")  # a Monday in office hours


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opened_and_resolved(contact):
    """A portal ticket answered and resolved by an agent the same morning."""
    seed_default_targets()
    agent = AgentFactory()
    with time_machine.travel(OPENED, tick=False):
        ticket = open_ticket(
            TicketRequest(
                channel=Channel.PORTAL,
                contact=contact,
                subject="Kytkin ei käynnisty",
                description="Virtavalo ei syty.",
                serial_number="FOC2233X0AB",
            )
        ).ticket
    with time_machine.travel(at("2026-06-22T09:00+03:00"), tick=False):
        add_message(ticket, body="Tutkimme.", channel=Channel.DESK, author_user=agent)
    with time_machine.travel(at("2026-06-22T10:00+03:00"), tick=False):
        change_status(ticket, status=Ticket.Status.RESOLVED, by=agent)
    ticket.refresh_from_db()
    assert ticket.resolved_at == at("2026-06-22T10:00+03:00")
    return ticket


def restore_clock(ticket: Ticket, *, now: datetime):
    ticket.refresh_from_db()
    return {clock.name: clock for clock in ticket_clocks(ticket, now=now)}["restore"]


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.PORTAL])
def test_r5_customer_reply_reopens_a_resolved_ticket_and_its_restore_clock_runs_again(
    alice, alice_device, channel
):
    ticket = opened_and_resolved(alice)
    assert restore_clock(ticket, now=at("2026-06-22T11:00+03:00")).state == ClockState.MET

    with time_machine.travel(at("2026-06-22T11:00+03:00"), tick=False):
        add_message(ticket, body="Vika palasi.", channel=channel, author_contact=alice)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert (ticket.resolved_at, ticket.closed_at) == (None, None)
    clock = restore_clock(ticket, now=at("2026-06-22T12:00+03:00"))
    assert clock.state == ClockState.RUNNING
    # Days later, nobody having acted, the reopened ticket is in breach, not "met".
    assert restore_clock(ticket, now=at("2026-07-06T12:00+03:00")).state == ClockState.BREACHED
    reopened = ticket.events.filter(kind=Event.Kind.STATUS_CHANGED).last()
    assert (reopened.data["old"], reopened.data["new"]) == ("resolved", "in_progress")


def test_r5_customer_reply_to_a_closed_ticket_clears_both_timestamps(alice, alice_device):
    ticket = opened_and_resolved(alice)
    change_status(ticket, status=Ticket.Status.CLOSED, by_contact=alice)
    ticket.refresh_from_db()
    assert ticket.closed_at is not None

    add_message(ticket, body="Sama vika taas.", channel=Channel.EMAIL, author_contact=alice)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert (ticket.resolved_at, ticket.closed_at) == (None, None)


def test_r9_information_supplied_moves_the_ticket_to_new_through_the_status_writer(
    alice, alice_device
):
    ticket = open_ticket(
        TicketRequest(channel=Channel.EMAIL, contact=alice, subject="Kytkin", description="Rikki")
    ).ticket
    assert ticket.status == Ticket.Status.INFO_REQUESTED

    supply_information(ticket, contact=alice, serial_number="FOC2233X0AB")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    moved = ticket.events.get(kind=Event.Kind.STATUS_CHANGED)
    assert (moved.data["old"], moved.data["new"]) == ("info_requested", "new")


SOURCE = Path(__file__).resolve().parents[2] / "src" / "santacare"
TIMESTAMP_WRITE = re.compile(
    r"\.(resolved_at|first_response_at)\s*=[^=]|(resolved_at|first_response_at)="
)
TICKET_STATUS_WRITE = re.compile(r"\.status\s*=\s*Ticket\.Status|\.update\([^)]*status=")


def test_r5_only_the_status_module_writes_ticket_status_and_its_timestamps():
    """A second writer of status or the R5 timestamps is how defect after defect came in."""
    writers = []
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts or path.name == "status.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if TICKET_STATUS_WRITE.search(code) or TIMESTAMP_WRITE.search(code):
                if "filter(" in code or "Q(" in code or "exclude(" in code:
                    continue  # a query, not a write
                writers.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert writers == []
