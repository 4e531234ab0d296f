"""Changes to an open ticket: each one is logged with who made it (the SLA engine reads the log)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Event, Priority, Ticket
from santacare.tickets.services import (
    PHONE_CALL_MADE,
    TicketChangeError,
    assign_ticket,
    change_priority,
    change_status,
    link_tickets,
    merge_tickets,
    record_phone_call,
    unlink_tickets,
)
from tests.factories import AgentFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

# Tuesday 24 November 2026, 10:00 in Helsinki.
OPENED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def open_for(contact, device, subject="Kytkin ei vastaa"):
    return open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            subject=subject,
            description="Kytkin ei vastaa pingiin.",
            serial_number=device.serial_number,
            received_at=OPENED,
        )
    ).ticket


@pytest.fixture
def agent():
    return AgentFactory(full_name="Aino Agentti")


@pytest.fixture
def ticket(alice, alice_device):
    return open_for(alice, alice_device)


def events(ticket, kind):
    return list(ticket.events.filter(kind=kind).values_list("data", "actor_label"))


def test_change_status_records_old_and_new_with_the_agents_name(ticket, agent):
    change_status(ticket, status=Ticket.Status.IN_PROGRESS, by=agent)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert events(ticket, Event.Kind.STATUS_CHANGED) == [
        ({"old": "new", "new": "in_progress"}, "Aino Agentti")
    ]


def test_r5_resolving_and_closing_set_their_timestamps(ticket, agent):
    with time_machine.travel(LATER, tick=False):
        change_status(ticket, status=Ticket.Status.RESOLVED, by=agent)
    assert ticket.resolved_at == LATER
    assert ticket.closed_at is None

    with time_machine.travel(LATER.replace(hour=10), tick=False):
        change_status(ticket, status=Ticket.Status.CLOSED, by=agent)
    ticket.refresh_from_db()
    assert ticket.resolved_at == LATER
    assert ticket.closed_at == LATER.replace(hour=10)


def test_r5_closing_an_unresolved_ticket_resolves_it_too(ticket, agent):
    with time_machine.travel(LATER, tick=False):
        change_status(ticket, status=Ticket.Status.CLOSED, by=agent)

    assert (ticket.resolved_at, ticket.closed_at) == (LATER, LATER)


def test_reopening_clears_the_done_timestamps(ticket, agent):
    change_status(ticket, status=Ticket.Status.CLOSED, by=agent)
    change_status(ticket, status=Ticket.Status.IN_PROGRESS, by=agent)

    ticket.refresh_from_db()
    assert (ticket.resolved_at, ticket.closed_at) == (None, None)


def test_unchanged_status_writes_no_event(ticket, agent):
    change_status(ticket, status=Ticket.Status.NEW, by=agent)

    assert events(ticket, Event.Kind.STATUS_CHANGED) == []


def test_contact_may_close_and_reopen_own_companys_ticket(ticket, alice):
    colleague = ContactFactory(customer=alice.customer)

    change_status(ticket, status=Ticket.Status.CLOSED, by_contact=colleague)
    change_status(ticket, status=Ticket.Status.IN_PROGRESS, by_contact=alice)

    assert ticket.status == Ticket.Status.IN_PROGRESS
    labels = [label for _, label in events(ticket, Event.Kind.STATUS_CHANGED)]
    assert labels == [str(colleague), str(alice)]


def test_contact_of_another_company_may_not_touch_the_ticket(ticket, charlie):
    with pytest.raises(PermissionDenied):
        change_status(ticket, status=Ticket.Status.CLOSED, by_contact=charlie)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW


def test_r11_end_user_of_the_same_company_may_not_close(ticket, alice):
    end_user = ContactFactory(customer=alice.customer, is_technical=False)

    with pytest.raises(PermissionDenied):
        change_status(ticket, status=Ticket.Status.CLOSED, by_contact=end_user)


@pytest.mark.parametrize(
    "status", [Ticket.Status.WAITING_ON_CUSTOMER, Ticket.Status.NEW, Ticket.Status.IN_PROGRESS]
)
def test_contact_may_only_resolve_close_or_reopen(ticket, alice, status):
    with pytest.raises(PermissionDenied):
        change_status(ticket, status=status, by_contact=alice)


def test_customer_user_is_not_an_agent(ticket):
    with pytest.raises(PermissionDenied):
        change_status(ticket, status=Ticket.Status.CLOSED, by=UserFactory())


def test_nobody_at_all_may_change_status(ticket):
    with pytest.raises(PermissionDenied):
        change_status(ticket, status=Ticket.Status.CLOSED)


def test_unknown_status_is_refused(ticket, agent):
    with pytest.raises(ValueError, match="bogus"):
        change_status(ticket, status="bogus", by=agent)


def test_change_priority_records_old_and_new(ticket, agent):
    change_priority(ticket, priority=Priority.P1, by=agent)

    assert ticket.priority == Priority.P1
    assert events(ticket, Event.Kind.PRIORITY_CHANGED) == [
        ({"old": "P3", "new": "P1"}, "Aino Agentti")
    ]


def test_change_priority_needs_an_agent(ticket):
    with pytest.raises(PermissionDenied):
        change_priority(ticket, priority=Priority.P1, by=UserFactory())


def test_assign_and_unassign_are_logged(ticket, agent):
    other = AgentFactory(full_name="Olli Toinen")

    assign_ticket(ticket, agent=other, by=agent)
    assign_ticket(ticket, agent=None, by=agent)

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert [data for data, _ in events(ticket, Event.Kind.ASSIGNED)] == [
        {"old": None, "old_name": "", "new": other.pk, "new_name": "Olli Toinen"},
        {"old": other.pk, "old_name": "Olli Toinen", "new": None, "new_name": ""},
    ]


def test_tickets_are_assigned_to_agents_only(ticket, agent):
    with pytest.raises(TicketChangeError):
        assign_ticket(ticket, agent=UserFactory(), by=agent)


def test_merge_closes_the_duplicate_and_logs_both(ticket, alice, alice_device, agent):
    duplicate = open_for(alice, alice_device, subject="Sama vika uudelleen")

    merge_tickets(duplicate, into=ticket, by=agent)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == ticket
    assert duplicate.status == Ticket.Status.CLOSED
    assert events(duplicate, Event.Kind.MERGED) == [
        ({"into": ticket.tracking_number}, "Aino Agentti")
    ]
    assert events(ticket, Event.Kind.MERGED) == [
        ({"merged": duplicate.tracking_number}, "Aino Agentti")
    ]


def test_merge_refuses_another_customers_ticket(ticket, charlie, charlie_device, agent):
    foreign = open_for(charlie, charlie_device)

    with pytest.raises(TicketChangeError):
        merge_tickets(foreign, into=ticket, by=agent)

    foreign.refresh_from_db()
    assert foreign.merged_into is None


def test_merge_refuses_itself_and_chains(ticket, alice, alice_device, agent):
    duplicate = open_for(alice, alice_device)
    third = open_for(alice, alice_device)
    merge_tickets(duplicate, into=ticket, by=agent)

    with pytest.raises(TicketChangeError):
        merge_tickets(ticket, into=ticket, by=agent)
    with pytest.raises(TicketChangeError):
        merge_tickets(third, into=duplicate, by=agent)
    with pytest.raises(TicketChangeError):
        merge_tickets(duplicate, into=third, by=agent)


def test_link_is_symmetric_logged_once_and_removable(ticket, alice, alice_device, agent):
    other = open_for(alice, alice_device)

    link_tickets(ticket, other=other, by=agent)
    link_tickets(other, other=ticket, by=agent)

    assert list(other.related_tickets.all()) == [ticket]
    assert events(ticket, Event.Kind.LINKED) == [({"other": other.tracking_number}, "Aino Agentti")]

    unlink_tickets(ticket, other=other, by=agent)
    assert not ticket.related_tickets.exists()
    assert len(events(other, Event.Kind.LINKED)) == 2


def test_a_ticket_cannot_be_linked_to_itself(ticket, agent):
    with pytest.raises(TicketChangeError):
        link_tickets(ticket, other=ticket, by=agent)


def test_r8_recording_the_call_clears_the_flag_and_logs_the_agent(ticket, agent):
    ticket.phone_call_required = True
    ticket.save(update_fields=["phone_call_required"])

    record_phone_call(ticket, by=agent)
    record_phone_call(ticket, by=agent)

    ticket.refresh_from_db()
    assert not ticket.phone_call_required
    assert events(ticket, PHONE_CALL_MADE) == [({}, "Aino Agentti")]
