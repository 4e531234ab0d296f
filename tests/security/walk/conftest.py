"""The walk's data: Alice's company and everything it owns, and Charlie of another company.

The walk (test_isolation_walk.py) requests every route with Alice's real ids as Charlie, as an
anonymous visitor and with Charlie's API token; this is the data it could leak.
"""

from dataclasses import dataclass

import pytest

from santacare.customers.tokens import issue_token
from santacare.installbase.models import Device
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.rma.models import Rma
from santacare.rma.services import open_rma
from santacare.tickets.attachments import store_attachment
from santacare.tickets.models import Attachment, Ticket
from tests.factories import AgentFactory, DeviceFactory, UserFactory
from tests.portal.conftest import _files_in_tmp, open_for  # noqa: F401 - the portal's fixtures


@dataclass(frozen=True)
class AlicesCompany:
    ticket: Ticket
    other_ticket: Ticket
    attachment: Attachment
    rma: Rma
    device: Device
    held_mail: InboundMail

    @property
    def identifying(self) -> tuple[str, ...]:
        """What must never reach Charlie: Alice's numbers, serials, subjects and names."""
        return (
            self.ticket.tracking_number,
            self.other_ticket.tracking_number,
            self.ticket.subject,
            self.other_ticket.subject,
            "Alice's secret network plan",
            self.device.serial_number,
            self.device.contract.number,
            self.attachment.filename,
            self.rma.part_number,
            "Alice Oy",
            "alice@alice.example",
        )


@pytest.fixture
def alice_device(alice):
    """Not the everyday FOC2233X0AB: the portal's help text quotes that one as an example."""
    return DeviceFactory(customer=alice.customer, serial_number="FOC2801Z9AL")


@pytest.fixture
def alices_company(alice, alice_device, open_for):  # noqa: F811 - the imported fixture
    alice.user = UserFactory(email=alice.email, full_name=alice.name)
    alice.save(update_fields=["user"])
    ticket = open_for(
        alice,
        alice_device,
        subject="Alice core switch reboots",
        description="Alice's secret network plan",
        hardware_fault=True,
        delivery_address="Alice Oy\nTestikatu 1\n00100 Helsinki",
        delivery_contact="Alice, +358 40 123 4567",
    )
    other_ticket = open_for(alice, alice_device, subject="Alice uplink flapping")
    attachment = store_attachment(
        ticket.messages.get(), filename="alice-plan.txt", content_type="text/plain", data=b"plan"
    )
    rma = open_rma(
        ticket,
        by=AgentFactory(),
        part_number="PWR-C1-350WAC",
        vendor=alice_device.vendor,
        failed_serial=alice_device.serial_number,
    )
    # A stranger's reply carrying Alice's tracking number is held for an agent.
    receive_mail(
        (
            "From: Stranger <stranger@elsewhere.example>\r\n"
            "To: support@santacare.example\r\n"
            f"Subject: Re: [{ticket.tracking_number}] {ticket.subject}\r\n"
            "Message-ID: <held-walk-1@elsewhere.example>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Alice's secret network plan, again.\r\n"
        ).encode(),
        source=InboundMail.Source.SMTP,
        envelope_sender="stranger@elsewhere.example",
    )
    return AlicesCompany(
        ticket=ticket,
        other_ticket=other_ticket,
        attachment=attachment,
        rma=rma,
        device=alice_device,
        held_mail=InboundMail.objects.get(),
    )


@pytest.fixture
def charlies_own(charlie, charlie_device, open_for):  # noqa: F811 - the imported fixture
    """Charlie's login and a ticket of his own, so that his pages have rows to show."""
    charlie.user = UserFactory(email=charlie.email, full_name=charlie.name)
    charlie.save(update_fields=["user"])
    return open_for(charlie, charlie_device, subject="Charlie printer VLAN")


@pytest.fixture
def charlie_api_token(charlie):
    return issue_token(name="Charlie NMS", contact=charlie)[1]
