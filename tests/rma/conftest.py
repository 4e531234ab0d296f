from datetime import date, datetime

import pytest
import time_machine

from santacare.core.time import HELSINKI
from santacare.installbase.models import Vendor
from santacare.rma import services
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from tests.factories import AgentFactory, ContractFactory, DeviceFactory, UserFactory

# Tuesday 1 December 2026, 10:00 in Helsinki: an ordinary working morning. Independence Day
# (Sunday 6 December) falls in the week after, and Christmas Eve two and a half weeks later.
FIXED_NOW = datetime(2026, 12, 1, 10, 0, tzinfo=HELSINKI)
# For devices made in tests: a contract valid around FIXED_NOW whatever the real date is.
VALID_AROUND_FIXED_NOW = {
    "contract__valid_from": date(2025, 1, 1),
    "contract__valid_to": date(2030, 12, 31),
}
CISCO_INSTRUCTIONS = "Pack the failed unit in the replacement's box and book the pickup."
CISCO_INSTRUCTIONS_FI = "Pakkaa viallinen laite korvaavan laitteen laatikkoon ja tilaa nouto."


@pytest.fixture
def clock():
    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice_device(alice):
    """Alice's switch, under a contract valid around FIXED_NOW whatever the real date is."""
    contract = ContractFactory(
        customer=alice.customer, valid_from=date(2025, 1, 1), valid_to=date(2030, 12, 31)
    )
    return DeviceFactory(customer=alice.customer, serial_number="FOC2233X0AB", contract=contract)


@pytest.fixture
def agent(db):
    return AgentFactory(email="agentti@santacare.example", full_name="Aino Agentti")


@pytest.fixture
def sdm(db):
    return AgentFactory(email="sdm@santacare.example", full_name="Sami SDM", language="en")


@pytest.fixture
def cisco(db) -> Vendor:
    vendor, _created = Vendor.objects.update_or_create(
        name="Cisco",
        defaults={
            "return_window_days": 10,
            "return_instructions_fi": CISCO_INSTRUCTIONS_FI,
            "return_instructions_en": CISCO_INSTRUCTIONS,
        },
    )
    return vendor


@pytest.fixture
def alice_user(alice):
    alice.user = UserFactory(email=alice.email, full_name=alice.name)
    alice.save(update_fields=["user"])
    return alice.user


def hardware_ticket(contact, serial_number, **overrides):
    """A hardware-fault ticket opened through the one intake door, as the portal would."""
    fields = {
        "channel": Channel.PORTAL,
        "contact": contact,
        "subject": "Kytkin ei käynnisty",
        "description": "Virtalähde on kuollut, laite ei käynnisty.",
        "serial_number": serial_number,
        "hardware_fault": True,
        "delivery_address": "Alice Oy\nTestikatu 1\n00100 Helsinki",
        "delivery_contact": "Alice Admin, +358 40 123 4567",
    }
    fields.update(overrides)
    result = open_ticket(TicketRequest(**fields))
    assert result.ticket is not None, result
    return result.ticket


@pytest.fixture
def ticket(clock, alice_device, cisco):
    return hardware_ticket(alice_device.customer.contacts.get(), alice_device.serial_number)


@pytest.fixture
def open_rma(ticket, agent):
    """A function that opens an RMA on the ticket with sensible defaults."""

    def make(**overrides):
        fields = {"part_number": "C9300-48P-E", "vendor_rma_number": "88412345"}
        fields.update(overrides)
        return services.open_rma(ticket, by=agent, **fields)

    return make


def at(day: int, hour: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=HELSINKI)


def deliver(
    rma, agent, clock, *, shipped: datetime, delivered: datetime, serial: str = "FOC9999X0NE"
):
    """Ship and deliver the replacement, the clock moving on to the delivery."""
    clock.move_to(delivered)
    services.mark_shipped(
        rma,
        by=agent,
        courier="DHL",
        tracking_code="JD0146000012345",
        replacement_serial=serial,
        shipped_at=shipped,
    )
    return services.mark_delivered(rma, by=agent, delivered_at=delivered)
