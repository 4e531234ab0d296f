"""R5's finer report of portal-opened tickets: per site, device and contract, with response,
restore and replacement times, and a drill-down from each figure to the tickets behind it."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from santacare.reports.dimensions import Dimension, ReportQuery
from santacare.reports.queries import sla_report
from santacare.tickets.models import Channel
from tests.factories import UserFactory
from tests.rma.conftest import at, deliver, hardware_ticket

pytestmark = pytest.mark.django_db
DECEMBER = {"first": "2026-12", "last": "2026-12"}


@pytest.fixture
def delivered(ticket, open_rma, agent, clock):
    """Alice's portal ticket whose replacement came 25 hours after the RMA was opened."""
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(2, 8), delivered=at(2, 11))
    rma.refresh_from_db()
    return rma


@pytest.fixture
def agent_client(agent):
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    return client


@pytest.fixture
def alice_client(alice):
    alice.user = UserFactory(email=alice.email, full_name=alice.name)
    alice.save()
    client = Client(headers={"accept-language": "en"})
    client.force_login(alice.user)
    return client


def december(group_by: str, **query) -> list:
    return sla_report(
        ReportQuery(
            group_by=group_by, first_month=at(1, 0).date(), last_month=at(1, 0).date(), **query
        )
    )


@pytest.mark.parametrize("group_by", [Dimension.DEVICE, Dimension.SITE, Dimension.CONTRACT])
def test_r5_replacement_time_per_device_site_and_contract(delivered, alice_device, group_by):
    expected_key = {
        Dimension.DEVICE: str(alice_device.pk),
        Dimension.SITE: str(alice_device.site_id),
        Dimension.CONTRACT: alice_device.contract.number,
    }[group_by]

    [row] = december(group_by, portal_only=True)

    assert (row.key, row.tickets) == (expected_key, 1)
    assert row.replacement.count == 1
    assert row.replacement.median_hours == 25.0
    on_time = delivered.promised_at is not None and delivered.delivered_at <= delivered.promised_at
    assert row.replacement.met == int(on_time)
    if group_by == Dimension.DEVICE:
        # The device is its place in the install base: after the swap it bears the new serial.
        alice_device.refresh_from_db()
        assert row.label == f"{alice_device.serial_number} {alice_device.device_type}"


def test_r5_the_portal_only_report_leaves_other_channels_out(delivered, alice, alice_device):
    alice_device.refresh_from_db()  # the replacement's serial since the swap
    hardware_ticket(alice, alice_device.serial_number, channel=Channel.EMAIL)

    assert [row.tickets for row in december(Dimension.DEVICE)] == [2]
    assert [row.tickets for row in december(Dimension.DEVICE, portal_only=True)] == [1]


def test_r5_a_ticket_count_opens_the_tickets_behind_it(agent_client, delivered, alice_device):
    page = agent_client.get(
        reverse("reports:agent"), {**DECEMBER, "group": "device", "portal": "on"}
    )
    assert page.status_code == 200
    link = (
        f"{reverse('reports:agent_row')}?group=device&amp;month=2026-12&amp;key={alice_device.pk}"
    )
    assert link in page.text

    row = agent_client.get(
        reverse("reports:agent_row"),
        {"group": "device", "month": "2026-12", "key": alice_device.pk, "portal": "on"},
    )
    assert row.status_code == 200
    assert delivered.ticket.tracking_number in row.text
    assert reverse("desk:ticket", args=[delivered.ticket.tracking_number]) in row.text
    assert "25.0" in row.text


def test_r11_a_customers_drill_down_shows_its_own_company_only(
    alice_client, delivered, charlie, charlie_device
):
    charlies = hardware_ticket(charlie, charlie_device.serial_number)

    own = alice_client.get(
        reverse("reports:customer_row"), {"group": "priority", "month": "2026-12", "key": "P3"}
    )
    theirs = alice_client.get(
        reverse("reports:customer_row"),
        {"group": "priority", "month": "2026-12", "key": "P3", "customer": charlie.customer_id},
    )

    for page in (own, theirs):
        assert page.status_code == 200
        assert delivered.ticket.tracking_number in page.text
        assert charlies.tracking_number not in page.text
    assert reverse("portal:ticket", args=[delivered.ticket.tracking_number]) in own.text


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"group": "nonsense", "month": "2026-12"},
        {"group": "device", "month": "12/2026"},
        {"group": "device", "month": "2026-12", "key": "x" * 500},
        {"group": "site", "month": "2026-12", "key": "1 OR 1=1"},
    ],
)
def test_a_broken_drill_down_link_gets_a_clear_page(agent_client, db, params):
    page = agent_client.get(reverse("reports:agent_row"), params)
    assert page.status_code in (200, 400)
    if page.status_code == 400:
        assert "not valid" in page.text


def test_r5_csv_carries_the_replacement_figures(agent_client, delivered):
    response = agent_client.get(reverse("reports:agent_csv"), {**DECEMBER, "group": "device"})
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert header[-3:] == [
        "Replacements delivered",
        "Replacement median (h)",
        "Replacement on time (%)",
    ]
    assert row[-3] == "1"
    assert row[-2] == "25.0"
