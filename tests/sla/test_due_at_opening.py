"""A new ticket's next-breach copy is written with its INSERT (issue 12), and it is what the
refresh after the commit would have written: for every channel, service level, priority,
moment and missing item (R1, R5, R8, R9, R14)."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from santacare.sla import due_index
from santacare.sla.due_index import refresh_due
from santacare.sla.services import seed_default_targets
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Priority, Ticket
from santacare.tickets.services import change_priority
from tests.factories import (
    AdvancedServiceLevelFactory,
    AgentFactory,
    ContactFactory,
    ContractFactory,
    DeviceFactory,
    ServiceLevelFactory,
)

pytestmark = pytest.mark.django_db

# Tuesday 24.11.2026 10:00 Helsinki (office hours); Saturday 28.11. 23:30; Christmas Eve 9:00.
MOMENTS = (
    datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
    datetime(2026, 11, 28, 21, 30, tzinfo=UTC),
    datetime(2026, 12, 24, 7, 0, tzinfo=UTC),
)
CHANNELS = (Channel.PORTAL, Channel.EMAIL, Channel.PHONE, Channel.API)
# What the request leaves out: nothing, the serial (R9: info requested, the clocks paused), or
# the delivery details of a hardware fault (R9 too, with the device and its level known).
GAPS = ("none", "serial", "delivery")


@pytest.fixture
def devices(settings):
    """A device per kind of cover: Basic (office hours), Advanced (24 × 7, R8), and one whose
    contract has expired (R1: only an agent on the phone may open it, with no SLA)."""
    settings.ALLOW_OUT_OF_CONTRACT = True
    contact = ContactFactory()
    customer = contact.customer

    def device(**contract: object) -> object:
        return DeviceFactory(
            customer=customer, contract=ContractFactory(customer=customer, **contract)
        )

    found = {
        "basic": device(service_level=ServiceLevelFactory()),
        "advanced": device(service_level=AdvancedServiceLevelFactory()),
        "expired": device(
            service_level=ServiceLevelFactory(),
            valid_from=MOMENTS[0].date() - timedelta(days=400),
            valid_to=MOMENTS[0].date() - timedelta(days=30),
        ),
    }
    seed_default_targets()
    return contact, found


def _request(contact, device, agent, *, channel, priority, gap, received_at) -> TicketRequest:
    return TicketRequest(
        channel=channel,
        contact=contact,
        subject="Kytkin ei vastaa",
        description="Ei vastaa pingiin.",
        serial_number="" if gap == "serial" else device.serial_number,
        priority=priority,
        hardware_fault=gap == "delivery",
        delivery_address="",
        delivery_contact="",
        opened_by=agent if channel == Channel.PHONE else None,
        out_of_contract=channel == Channel.PHONE,
        received_at=received_at,
    )


def test_r1_r5_r9_the_copy_written_at_opening_is_what_the_refresh_computes(devices):
    contact, by_cover = devices
    agent = AgentFactory()
    opened: dict[int, str] = {}
    for moment, channel, (cover, device), priority, gap, late in itertools.product(
        MOMENTS, CHANNELS, by_cover.items(), Priority, GAPS, (False, True)
    ):
        # A mail read three hours after it was sent is received when it was sent: its clocks
        # may have run (or breached) before the ticket exists.
        received_at = moment - timedelta(hours=3) if late else moment
        request = _request(
            contact,
            device,
            agent,
            channel=channel,
            priority=priority,
            gap=gap,
            received_at=received_at,
        )
        with time_machine.travel(moment, tick=False):
            ticket = open_ticket(request).ticket
        if ticket is not None:
            opened[ticket.pk] = f"{moment:%a %H:%M} {channel} {cover} {priority} {gap} {late}"
    written = dict(Ticket.objects.values_list("pk", "sla_due_at"))

    # The refresh a minute after the last opening (what the commit's callback did) and a
    # day after it (the sweep) both find nothing to change.
    for later in (timedelta(minutes=1), timedelta(days=1)):
        assert refresh_due(opened, now=MOMENTS[-1] + later) == 0
    assert dict(Ticket.objects.values_list("pk", "sla_due_at")) == written

    # The product reached every kind of copy: a due time, none (paused, R9), none (no SLA).
    tickets = Ticket.objects.filter(pk__in=opened)
    assert tickets.filter(sla_due_at__isnull=False).count() > 100
    assert tickets.filter(status=Ticket.Status.INFO_REQUESTED, sla_due_at__isnull=True).exists()
    assert tickets.filter(service_level__isnull=True, out_of_contract=True).exists()
    assert tickets.filter(phone_call_required=True, sla_due_at__isnull=False).exists()


def test_r1_an_opening_alone_leaves_nothing_for_the_commit(
    devices, django_capture_on_commit_callbacks
):
    contact, by_cover = devices
    request = _request(
        contact,
        by_cover["basic"],
        None,
        channel=Channel.PORTAL,
        priority=Priority.P3,
        gap="none",
        received_at=MOMENTS[0],
    )

    with django_capture_on_commit_callbacks() as callbacks:
        ticket = open_ticket(request).ticket

    assert ticket is not None
    assert ticket.sla_due_at is not None
    assert due_index._refresh_waiting not in callbacks


def test_r1_a_change_in_the_opening_transaction_is_refreshed_after_the_commit(
    devices, django_capture_on_commit_callbacks
):
    contact, by_cover = devices
    agent = AgentFactory()
    request = _request(
        contact,
        by_cover["basic"],
        agent,
        channel=Channel.PHONE,
        priority=Priority.P4,
        gap="none",
        received_at=MOMENTS[0],
    )

    with (
        time_machine.travel(MOMENTS[0], tick=False),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        ticket = open_ticket(request).ticket
        assert ticket is not None
        as_p4 = ticket.sla_due_at
        change_priority(ticket, priority=Priority.P2, by=agent)

    ticket.refresh_from_db()
    assert as_p4 is not None
    assert ticket.sla_due_at is not None
    assert ticket.sla_due_at < as_p4
    with time_machine.travel(MOMENTS[0] + timedelta(minutes=1), tick=False):
        assert refresh_due([ticket.pk], now=MOMENTS[0] + timedelta(minutes=1)) == 0
