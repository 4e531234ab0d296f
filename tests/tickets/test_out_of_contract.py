"""R1's one exception: a billable phone ticket for a device without a valid contract, only where
the desk's policy (SANTACARE_ALLOW_OUT_OF_CONTRACT) allows it and an agent chooses it."""

from datetime import timedelta

import pytest

from santacare.core.time import helsinki, now
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Event, Ticket
from santacare.tickets.outcomes import Outcome, Reason
from tests.factories import AgentFactory, ContractFactory, DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired_device(alice):
    today = helsinki(now()).date()
    expired = ContractFactory(
        customer=alice.customer,
        number="SCM-0901",
        valid_from=today - timedelta(days=800),
        valid_to=today - timedelta(days=30),
    )
    return DeviceFactory(customer=alice.customer, contract=expired, serial_number="FOC1111X0ZZ")


def phone_request(contact, **fields):
    defaults = {
        "channel": Channel.PHONE,
        "contact": contact,
        "serial_number": "FOC1111X0ZZ",
        "subject": "Kytkin vanha",
        "description": "Asiakas hyväksyy laskutettavan työn.",
        "opened_by": AgentFactory(),
        "out_of_contract": True,
        "acknowledge": False,
    }
    return TicketRequest(**(defaults | fields))


def test_r1_out_of_contract_is_refused_while_the_policy_is_off(alice, expired_device, settings):
    settings.ALLOW_OUT_OF_CONTRACT = False

    result = open_ticket(phone_request(alice))

    assert (result.outcome, result.reason) == (Outcome.REFUSED, Reason.NO_VALID_CONTRACT)
    assert Ticket.objects.count() == 0


def test_r1_agent_opens_a_billable_ticket_when_the_policy_allows(alice, expired_device, settings):
    settings.ALLOW_OUT_OF_CONTRACT = True

    result = open_ticket(phone_request(alice))

    assert result.outcome == Outcome.CREATED
    ticket = result.ticket
    assert ticket.out_of_contract is True
    assert ticket.contract_number == "SCM-0901"  # what the install base said, as written
    assert ticket.service_level is None  # no contract SLA applies
    assert ticket.events.filter(kind=Event.Kind.OUT_OF_CONTRACT).count() == 1


@pytest.mark.parametrize("channel", [Channel.PORTAL, Channel.EMAIL, Channel.API])
def test_r1_only_an_agent_on_the_phone_may_open_out_of_contract(
    alice, expired_device, settings, channel
):
    settings.ALLOW_OUT_OF_CONTRACT = True

    result = open_ticket(phone_request(alice, channel=channel, opened_by=None))

    assert result.reason == Reason.NO_VALID_CONTRACT
    assert Ticket.objects.count() == 0


def test_r1_without_the_agents_choice_an_expired_contract_is_refused(
    alice, expired_device, settings
):
    settings.ALLOW_OUT_OF_CONTRACT = True

    result = open_ticket(phone_request(alice, out_of_contract=False))

    assert result.reason == Reason.NO_VALID_CONTRACT


def test_r1_covered_device_is_never_marked_out_of_contract(alice, alice_device, settings):
    settings.ALLOW_OUT_OF_CONTRACT = True

    result = open_ticket(phone_request(alice, serial_number=alice_device.serial_number))

    assert result.ticket.out_of_contract is False
    assert result.ticket.service_level_name == "SantaCare Basic"


def test_r1_desk_phone_intake_offers_and_opens_billable_work(
    client, alice, expired_device, settings
):
    settings.ALLOW_OUT_OF_CONTRACT = True
    agent = AgentFactory()
    client.force_login(agent)
    english = {"accept-language": "en"}
    form = {
        "contact": alice.pk,
        "device": expired_device.pk,
        "subject": "Vanha kytkin",
        "description": "Laskutettava työ sovittu puhelimessa.",
        "priority": "P3",
    }

    page = client.get(
        f"/desk/phone/?contact={alice.pk}&device={expired_device.pk}", headers=english
    )
    assert "open as billable work outside the contract" in page.content.decode()

    refused = client.post("/desk/phone/", form, headers=english)
    assert refused.status_code == 200
    assert "no valid SantaCare Maintenance contract" in refused.content.decode()
    assert Ticket.objects.count() == 0

    opened = client.post("/desk/phone/", form | {"out_of_contract": "on"}, headers=english)
    assert opened.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.out_of_contract, ticket.opened_by) == (True, agent)
    workspace = client.get(f"/desk/t/{ticket.tracking_number}/", headers=english)
    assert "Out of contract, billable." in workspace.content.decode()
