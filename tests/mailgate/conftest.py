from datetime import timedelta

import pytest

from santacare.installbase.models import Contract
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from tests.factories import ContactFactory, ContractFactory, DeviceFactory


@pytest.fixture
def mail_world(alice, alice_device, charlie, charlie_device):
    """Alice Oy with a covered switch and a Managed Services firewall, an end user, Charlie Oy,
    and one open ticket of Alice's whose acknowledgement is our outgoing mail."""
    managed = ContractFactory(customer=alice.customer, product=Contract.Product.MANAGED_SERVICES)
    DeviceFactory(customer=alice.customer, contract=managed, serial_number="FGT60FTK20000001")
    ContactFactory(customer=alice.customer, email="enduser@alice.example", is_technical=False)
    result = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=alice,
            subject="Kytkin ei käynnisty",
            description="Virtavalo ei syty.",
            serial_number="FOC2233X0AB",
        )
    )
    ticket = result.ticket
    acknowledgement = ticket.outbound_mails.get()
    return {
        "alice": alice,
        "charlie": charlie,
        "ticket": ticket,
        "acknowledgement": acknowledgement,
        "placeholders": {
            "{TRACKING}": ticket.tracking_number,
            "{TRACKING_DIGITS}": ticket.tracking_number.removeprefix("SC-"),
            "{OUR_MESSAGE_ID}": acknowledgement.message_id,
        },
        "later": timedelta(hours=1),
    }


def fill(raw: bytes, placeholders: dict[str, str]) -> bytes:
    for key, value in placeholders.items():
        raw = raw.replace(key.encode(), value.encode())
    return raw
