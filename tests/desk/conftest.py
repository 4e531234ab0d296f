from datetime import UTC, datetime

import pytest
from django.test import Client

from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from tests.factories import AgentFactory

# Tuesday 24 November 2026, 10:00 in Helsinki: office hours.
OFFICE_HOURS = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def agent():
    return AgentFactory(full_name="Aino Agentti", email="aino@santacare.example")


@pytest.fixture
def agent_client(agent):
    """An agent's browser asking for English, so that assertions read as the code does."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    return client


@pytest.fixture
def open_portal_ticket():
    def make(contact, device, *, subject="Kytkin ei vastaa", description="Ei vastaa pingiin.", **f):
        return open_ticket(
            TicketRequest(
                channel=Channel.PORTAL,
                contact=contact,
                subject=subject,
                description=description,
                serial_number=device.serial_number,
                received_at=f.pop("received_at", OFFICE_HOURS),
                **f,
            )
        ).ticket

    return make
