"""Phone intake: the chosen device's open tickets come first, so the call joins one of them."""

import pytest

from santacare.tickets.models import Ticket
from santacare.tickets.services import change_status
from tests.factories import AgentFactory, DeviceFactory

pytestmark = pytest.mark.django_db


def test_the_devices_open_tickets_are_listed_before_the_call_form(
    agent_client, alice, alice_device, open_portal_ticket
):
    same_device = open_portal_ticket(alice, alice_device, subject="Kytkin ei vastaa")
    other_device = DeviceFactory(customer=alice.customer, serial_number="FOC9999Z0ZZ")
    elsewhere = open_portal_ticket(alice, other_device, subject="Toinen laite")
    closed = open_portal_ticket(alice, alice_device, subject="Vanha vika")
    change_status(closed, status=Ticket.Status.CLOSED, by=AgentFactory())

    page = agent_client.get(
        "/desk/phone/", {"contact": alice.pk, "device": alice_device.pk}
    ).content.decode()

    device_list = page.split('class="card device-tickets"')[1].split("</section>")[0]
    assert "This device already has an open ticket (FOC2233X0AB)" in device_list
    assert same_device.tracking_number in device_list
    assert f'href="/desk/t/{same_device.tracking_number}/#composer"' in device_list
    assert "Add to this ticket" in device_list
    assert elsewhere.tracking_number not in device_list
    assert closed.tracking_number not in page
    # First on the page: before the caller's other tickets and before the form.
    assert page.index("device-tickets") < page.index(elsewhere.tracking_number)
    assert page.index("device-tickets") < page.index('class="call-form"')
    assert "The caller's other open tickets" in page


def test_the_list_is_in_finnish_for_a_finnish_agent(
    agent, alice, alice_device, open_portal_ticket, client
):
    open_portal_ticket(alice, alice_device)
    open_portal_ticket(alice, alice_device)
    client.force_login(agent)

    page = client.get(
        "/desk/phone/", {"device": alice_device.pk}, headers={"accept-language": "fi"}
    ).content.decode()

    assert "Tällä laitteella on jo 2 avointa tukipyyntöä (FOC2233X0AB)" in page
    assert "Lisää tähän tukipyyntöön" in page


def test_a_device_without_open_tickets_shows_no_such_list(agent_client, alice, alice_device):
    page = agent_client.get(
        "/desk/phone/", {"contact": alice.pk, "device": alice_device.pk}
    ).content.decode()

    assert "device-tickets" not in page


def test_the_lookup_costs_the_same_queries_with_many_open_tickets(
    agent_client, alice, alice_device, open_portal_ticket, django_assert_max_num_queries
):
    for _ in range(8):
        open_portal_ticket(alice, alice_device)
    params = {"contact": alice.pk, "device": alice_device.pk}
    agent_client.get("/desk/phone/", params)

    with django_assert_max_num_queries(12):
        response = agent_client.get("/desk/phone/", params)

    assert response.content.decode().count("Add to this ticket") == 5
