"""The one intake service: the rules every channel shares (R1, R3, R8, R9, R10, R11)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from santacare.installbase.models import Contract
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Event, Message, Priority, Ticket
from santacare.tickets.outcomes import Outcome, Reason
from santacare.tickets.services import change_status
from tests.factories import (
    AdvancedServiceLevelFactory,
    AgentFactory,
    ContactFactory,
    ContractFactory,
    DeviceFactory,
)

pytestmark = pytest.mark.django_db

# Tuesday 24 November 2026, 10:00 in Helsinki (UTC+2): inside office hours.
OFFICE_HOURS = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
# Saturday 28 November 2026, 03:00 in Helsinki: outside office hours.
NIGHT = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
# Christmas Eve 2026 is a Thursday, and a day off in Finland.
CHRISTMAS_EVE_MORNING = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)


def portal_request(contact, **fields):
    defaults = {
        "channel": Channel.PORTAL,
        "contact": contact,
        "subject": "Kytkin ei käynnisty",
        "description": "Virtavalo ei syty uudelleenkäynnistyksen jälkeen.",
        "received_at": OFFICE_HOURS,
    }
    return TicketRequest(**(defaults | fields))


def test_r3_ticket_carries_install_base_snapshot(alice, alice_device):
    result = open_ticket(portal_request(alice, serial_number="foc2233x0ab"))

    assert result.outcome == Outcome.CREATED
    ticket = result.ticket
    assert ticket.serial_number == "FOC2233X0AB"
    assert ticket.device_type == "Cisco Catalyst 9300"
    assert ticket.contract_number == alice_device.contract.number
    assert ticket.service_level_name == "SantaCare Basic"
    assert ticket.customer == alice.customer
    assert ticket.status == Ticket.Status.NEW
    assert list(ticket.messages.values_list("direction", flat=True)) == ["inbound"]
    assert list(ticket.events.values_list("kind", flat=True)) == [Event.Kind.OPENED]


def test_r3_snapshot_survives_later_contract_change(alice, alice_device):
    ticket = open_ticket(portal_request(alice, serial_number="FOC2233X0AB")).ticket
    original_number = ticket.contract_number

    alice_device.contract = ContractFactory(customer=alice.customer, number="SCM-9999")
    alice_device.save()

    ticket.refresh_from_db()
    assert ticket.contract_number == original_number


def test_r1_expired_contract_is_refused_without_a_ticket(alice):
    expired = ContractFactory(
        customer=alice.customer,
        valid_from=OFFICE_HOURS.date() - timedelta(days=800),
        valid_to=OFFICE_HOURS.date() - timedelta(days=1),
    )
    DeviceFactory(customer=alice.customer, contract=expired, serial_number="FOC1111X0ZZ")

    result = open_ticket(portal_request(alice, serial_number="FOC1111X0ZZ"))

    assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.NO_VALID_CONTRACT)
    assert Ticket.objects.count() == 0


def test_r15_a_refusal_that_sends_the_contact_to_their_sdm_says_how_to_reach_them(alice):
    alice.customer.service_delivery_manager = AgentFactory(
        full_name="Sami Palvelupäällikkö", phone="+358 40 555 0123", email="sami@santacare.example"
    )
    alice.customer.save()
    DeviceFactory(customer=alice.customer, contract=None, serial_number="FOC7777X0AB")

    result = open_ticket(portal_request(alice, serial_number="FOC7777X0AB"))
    unknown = open_ticket(portal_request(alice, serial_number="NOSUCH123"))

    for refusal in (result, unknown):
        with translation.override("fi"):
            finnish = refusal.explanation()
        with translation.override("en"):
            english = refusal.explanation()
        assert "Sami Palvelupäällikkö, +358 40 555 0123, sami@santacare.example" in finnish
        assert "palvelupäällikkö" in finnish.lower().replace("sami palvelupäällikkö", "")
        assert "Your Service Delivery Manager: Sami Palvelupäällikkö" in english


def test_r1_contract_not_yet_started_is_refused(alice):
    future = ContractFactory(
        customer=alice.customer,
        valid_from=OFFICE_HOURS.date() + timedelta(days=1),
        valid_to=OFFICE_HOURS.date() + timedelta(days=400),
    )
    DeviceFactory(customer=alice.customer, contract=future, serial_number="FOC5555X0AA")

    result = open_ticket(portal_request(alice, serial_number="FOC5555X0AA"))

    assert result.reason == Reason.NO_VALID_CONTRACT


def test_r1_device_without_contract_is_refused(alice):
    DeviceFactory(customer=alice.customer, contract=None, serial_number="FOC7777X0AA")

    result = open_ticket(portal_request(alice, serial_number="FOC7777X0AA"))

    assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.NO_VALID_CONTRACT)


def test_r1_unknown_serial_is_refused(alice, alice_device):
    result = open_ticket(portal_request(alice, serial_number="NOSUCH123"))

    assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.UNKNOWN_SERIAL)
    assert Ticket.objects.count() == 0


def test_r1_another_customers_serial_gets_the_same_answer_as_an_unknown_one(alice, charlie_device):
    result = open_ticket(portal_request(alice, serial_number=charlie_device.serial_number))

    assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.UNKNOWN_SERIAL)
    with translation.override("en"):
        assert "Charlie" not in result.explanation()
        assert "not found in your company's install base" in result.explanation()
    assert Ticket.objects.count() == 0


def test_r10_managed_services_device_is_redirected_to_noc(alice, settings):
    managed = ContractFactory(
        customer=alice.customer, product=Contract.Product.MANAGED_SERVICES, service_level=None
    )
    DeviceFactory(customer=alice.customer, contract=managed, serial_number="FGT60FTK20000001")

    result = open_ticket(portal_request(alice, serial_number="FGT60FTK20000001"))

    assert (result.outcome, result.reason) == (Outcome.REDIRECTED, Reason.MANAGED_SERVICES)
    assert Ticket.objects.count() == 0
    with translation.override("fi"):
        assert settings.NOC_PHONE in result.explanation()
        assert "NOC" in result.explanation()
    with translation.override("en"):
        assert "Network Operations Center" in result.explanation()


def test_r11_end_user_is_refused_in_every_channel(alice_device):
    end_user = ContactFactory(customer=alice_device.customer, is_technical=False)

    for channel in Channel:
        result = open_ticket(portal_request(end_user, channel=channel, serial_number="FOC2233X0AB"))
        assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.NOT_TECHNICAL_CONTACT)
    assert Ticket.objects.count() == 0


def test_r11_unknown_sender_is_refused():
    result = open_ticket(portal_request(None, serial_number="FOC2233X0AB"))

    assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.UNKNOWN_SENDER)


def test_r11_inactive_technical_contact_is_refused(alice, alice_device):
    alice.is_active = False
    alice.save()

    result = open_ticket(portal_request(alice, serial_number="FOC2233X0AB"))

    assert result.reason == Reason.NOT_TECHNICAL_CONTACT


def test_r9_missing_serial_number_is_asked_for(alice):
    result = open_ticket(portal_request(alice, channel=Channel.EMAIL, serial_number=""))

    assert result.outcome == Outcome.INFO_REQUESTED
    assert result.missing == ("serial_number", "device_type")
    assert result.ticket.status == Ticket.Status.INFO_REQUESTED
    assert result.ticket.device is None
    assert result.ticket.serial_number == ""  # never guessed


def test_r9_hardware_fault_needs_delivery_address_and_contact(alice, alice_device):
    result = open_ticket(portal_request(alice, serial_number="FOC2233X0AB", hardware_fault=True))

    assert result.outcome == Outcome.INFO_REQUESTED
    assert result.missing == ("delivery_address", "delivery_contact")
    with translation.override("en"):
        text = result.explanation()
    assert "delivery address for the replacement part" in text
    assert result.tracking_number in text
    info_event = result.ticket.events.get(kind=Event.Kind.INFO_REQUESTED)
    assert info_event.data["missing"] == ["delivery_address", "delivery_contact"]


def test_r9_hardware_fault_with_delivery_details_is_complete(alice, alice_device):
    result = open_ticket(
        portal_request(
            alice,
            serial_number="FOC2233X0AB",
            hardware_fault=True,
            delivery_address="Esimerkkikatu 1\n00100 Helsinki",
            delivery_contact="Teemu Tekninen, +358 40 111 2222",
        )
    )

    assert result.outcome == Outcome.CREATED
    assert result.ticket.missing_information == []


def test_r9_missing_description_is_asked_for_in_finnish(alice, alice_device):
    result = open_ticket(portal_request(alice, serial_number="FOC2233X0AB", description="  "))

    assert result.missing == ("description",)
    with translation.override("fi"):
        assert "puuttuu" in result.explanation()


def test_r8_critical_request_by_portal_must_be_phoned_in_and_is_kept(alice, alice_device, settings):
    result = open_ticket(
        portal_request(
            alice,
            serial_number="FOC2233X0AB",
            priority=Priority.P1,
            description="Koko verkko alhaalla!",
        )
    )

    assert (result.outcome, result.reason) == (Outcome.MUST_CALL, Reason.CRITICAL)
    ticket = result.ticket
    assert ticket.phone_call_required is True
    assert ticket.description == "Koko verkko alhaalla!"  # what was sent is not lost
    with translation.override("en"):
        assert settings.SUPPORT_PHONE in result.explanation()
    assert ticket.events.filter(kind=Event.Kind.PHONE_CALL_REQUIRED).exists()


def test_r8_critical_request_by_phone_is_simply_opened(alice, alice_device):
    agent = AgentFactory()

    result = open_ticket(
        portal_request(
            alice,
            channel=Channel.PHONE,
            opened_by=agent,
            serial_number="FOC2233X0AB",
            priority=Priority.P1,
        )
    )

    assert result.outcome == Outcome.CREATED
    assert result.ticket.opened_by == agent
    assert result.ticket.channel == Channel.PHONE


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (OFFICE_HOURS, Outcome.CREATED),
        (NIGHT, Outcome.MUST_CALL),
        (CHRISTMAS_EVE_MORNING, Outcome.MUST_CALL),
    ],
)
def test_r8_advanced_outside_office_hours_must_be_phoned_in(alice, received_at, expected):
    advanced = ContractFactory(customer=alice.customer, service_level=AdvancedServiceLevelFactory())
    DeviceFactory(customer=alice.customer, contract=advanced, serial_number="JN11AB2C3DEF")

    result = open_ticket(
        portal_request(
            alice, channel=Channel.EMAIL, serial_number="JN11AB2C3DEF", received_at=received_at
        )
    )

    assert result.outcome == expected
    if expected == Outcome.MUST_CALL:
        assert result.reason == Reason.OUTSIDE_OFFICE_HOURS


def test_r8_basic_outside_office_hours_is_accepted(alice, alice_device):
    result = open_ticket(portal_request(alice, serial_number="FOC2233X0AB", received_at=NIGHT))

    assert result.outcome == Outcome.CREATED


def test_bad_input_binary_junk_and_overlong_fields_are_cleaned(alice, alice_device):
    result = open_ticket(
        portal_request(
            alice,
            serial_number="FOC2233X0AB",
            subject="Ongelma\r\nBcc: victim@example.com" + "x" * 500,
            description="alku\x00\x07loppu" + "y" * 200_000,
        )
    )

    ticket = result.ticket
    assert "\n" not in ticket.subject
    assert "\r" not in ticket.subject
    assert len(ticket.subject) <= 200
    assert "\x00" not in ticket.description
    assert "\x07" not in ticket.description
    assert ticket.description.startswith("alkuloppu")
    assert len(ticket.description) <= 100_000


@pytest.mark.parametrize("serial", ["\x00\xff", "A" * 500, "'; DROP TABLE x;--", "🙂🙂🙂"])
def test_bad_input_junk_serial_is_an_unknown_serial(alice, alice_device, serial):
    result = open_ticket(portal_request(alice, serial_number=serial))

    assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.UNKNOWN_SERIAL)
    assert Ticket.objects.count() == 0


def test_r4_customer_reply_reopens_a_resolved_ticket(alice, alice_device):
    ticket = open_ticket(portal_request(alice, serial_number="FOC2233X0AB")).ticket
    change_status(ticket, status=Ticket.Status.RESOLVED, by=AgentFactory())
    assert ticket.resolved_at is not None

    result = add_message(ticket, body="Vika palasi.", channel=Channel.EMAIL, author_contact=alice)

    assert result.outcome == Outcome.APPENDED
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    # R5: reopened means timed again, so neither timestamp of the earlier resolution stays.
    assert (ticket.resolved_at, ticket.closed_at) == (None, None)


def test_r11_another_companys_contact_cannot_add_to_a_ticket(alice, alice_device, charlie):
    ticket = open_ticket(portal_request(alice, serial_number="FOC2233X0AB")).ticket

    result = add_message(ticket, body="Hei!", channel=Channel.EMAIL, author_contact=charlie)

    assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.NOT_ON_THIS_TICKET)
    assert ticket.messages.count() == 1


def test_r5_first_public_agent_reply_sets_first_response(alice, alice_device):
    ticket = open_ticket(portal_request(alice, serial_number="FOC2233X0AB")).ticket
    agent = AgentFactory()

    add_message(ticket, body="Tutkimme.", channel=Channel.PORTAL, author_user=agent, internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # an internal note is no response

    reply = add_message(
        ticket, body="Vaihdamme laitteen.", channel=Channel.PORTAL, author_user=agent
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at == reply.message.created_at
    assert reply.message.direction == Message.Direction.OUTBOUND


def test_empty_message_is_refused(alice, alice_device):
    ticket = open_ticket(portal_request(alice, serial_number="FOC2233X0AB")).ticket

    result = add_message(ticket, body=" \x00 ", channel=Channel.PORTAL, author_contact=alice)

    assert result.reason == Reason.EMPTY_MESSAGE


def test_events_are_append_only(alice, alice_device):
    ticket = open_ticket(portal_request(alice, serial_number="FOC2233X0AB")).ticket
    event = ticket.events.get()

    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()
