"""What opening a ticket writes (issue 12): the ticket built whole before its one INSERT, its
opening events in one more, and a device a channel already found used only if it is the
contact's own (R3)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Event, Priority
from santacare.tickets.outcomes import Outcome, Reason

pytestmark = pytest.mark.django_db

# Tuesday 24 November 2026, 10:00 in Helsinki: inside office hours.
OFFICE_HOURS = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def request(contact, **fields):
    defaults = {
        "channel": Channel.PORTAL,
        "contact": contact,
        "subject": "Kytkin ei käynnisty",
        "description": "Koko verkko alhaalla!",
        "received_at": OFFICE_HOURS,
    }
    return TicketRequest(**(defaults | fields))


def statements(captured, verb: str, table: str) -> int:
    quoted = connection.ops.quote_name(table)
    return sum(q["sql"].startswith(verb) and quoted in q["sql"] for q in captured)


def test_r8_must_call_ticket_is_inserted_once_with_its_events_in_one_statement(alice, alice_device):
    with CaptureQueriesContext(connection) as captured:
        result = open_ticket(
            request(alice, serial_number=alice_device.serial_number, priority=Priority.P1)
        )

    assert result.outcome == Outcome.MUST_CALL
    assert result.ticket.phone_call_required is True
    kinds = list(result.ticket.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [Event.Kind.OPENED, Event.Kind.PHONE_CALL_REQUIRED]
    queries = captured.captured_queries
    assert statements(queries, "INSERT", "tickets_ticket") == 1
    assert statements(queries, "UPDATE", "tickets_ticket") == 0
    assert statements(queries, "INSERT", "tickets_event") == 1


def test_r9_info_requested_is_logged_after_the_opening(alice):
    result = open_ticket(request(alice, description="Ei toimi."))

    assert result.outcome == Outcome.INFO_REQUESTED
    kinds = list(result.ticket.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [Event.Kind.OPENED, Event.Kind.INFO_REQUESTED]


def test_r3_a_device_found_by_the_channel_is_not_looked_up_again(alice, alice_device):
    with CaptureQueriesContext(connection) as captured:
        result = open_ticket(
            request(
                alice,
                description="Ei toimi.",
                serial_number=alice_device.serial_number,
                device=alice_device,
            )
        )

    assert result.ticket.device == alice_device
    assert statements(captured.captured_queries, "SELECT", "installbase_device") == 0


def test_r3_another_customers_device_handed_in_is_still_an_unknown_serial(
    alice, alice_device, charlie_device
):
    result = open_ticket(
        request(alice, serial_number=charlie_device.serial_number, device=charlie_device)
    )

    assert (result.outcome, result.reason, result.ticket) == (
        Outcome.REFUSED,
        Reason.UNKNOWN_SERIAL,
        None,
    )
