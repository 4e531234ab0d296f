import re
from datetime import datetime

import pytest
import time_machine
from django.utils import translation

from santacare.accounts.models import User
from santacare.installbase.models import ServiceLevel
from santacare.sla.services import seed_default_targets
from santacare.tickets import services
from santacare.tickets.models import Ticket
from tests.factories import (
    AdvancedServiceLevelFactory,
    AgentFactory,
    ContactFactory,
    CustomerFactory,
    ServiceLevelFactory,
)


@pytest.fixture
def levels(db) -> dict[str, ServiceLevel]:
    basic, advanced = ServiceLevelFactory(), AdvancedServiceLevelFactory()
    seed_default_targets()
    return {"basic": basic, "advanced": advanced}


_counter = iter(range(100000, 999999))


def make_ticket(*, level: ServiceLevel, received_at: datetime, priority: str = "P2", **fields):
    return Ticket.objects.create(
        tracking_number=f"SC-{next(_counter)}",
        customer=fields.pop("customer", None) or CustomerFactory(),
        channel=fields.pop("channel", "portal"),
        subject="Switch down",
        priority=priority,
        service_level=level,
        service_level_name=level.name,
        received_at=received_at,
        **fields,
    )


def change_status(ticket: Ticket, new: str, *, at: datetime) -> None:
    """Change the status through the desk's own service, at a given instant."""
    with time_machine.travel(at, tick=False):
        services.change_status(ticket, status=new, by=_agent())


def close_as_customer(ticket: Ticket, new: str = "closed", *, at: datetime) -> None:
    """Close (or resolve) the ticket the way its technical contact does in the portal."""
    contact = ContactFactory(customer=ticket.customer)
    with time_machine.travel(at, tick=False):
        services.change_status(ticket, status=new, by_contact=contact)


def change_priority(ticket: Ticket, new: str, *, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        services.change_priority(ticket, priority=new, by=_agent())


def _agent():
    return User.objects.filter(email="sla-agent@santacare.example").first() or AgentFactory(
        email="sla-agent@santacare.example"
    )


def clock_rows(html: str) -> dict[str, tuple[str, str]]:
    """Clock label → (state class, state cell text) of the rendered SLA table."""
    rows = re.findall(
        r'<tr class="sla-(\w+)">\s*<th scope="row">([^<]+)</th>'
        r"\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>",
        html,
        re.S,
    )
    return {label: (state, re.sub(r"<[^>]+>", "", cell).strip()) for state, label, _, cell in rows}


@pytest.fixture(autouse=True)
def english():
    """Explanations are compared word for word; the Finnish ones have tests of their own."""
    with translation.override("en"):
        yield
