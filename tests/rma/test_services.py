from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from santacare.installbase.models import Device
from santacare.outbox.models import OutboundMail
from santacare.rma import services
from santacare.rma.due_dates import return_due_date
from santacare.rma.errors import RmaError
from santacare.rma.models import DeviceSwap, Rma
from santacare.rma.queries import device_by_any_serial, device_history, replacement_delivery
from santacare.tickets.models import Event
from santacare.tickets.services import change_status
from tests.factories import ContactFactory, DeviceFactory

from .conftest import (
    CISCO_INSTRUCTIONS,
    CISCO_INSTRUCTIONS_FI,
    FIXED_NOW,
    VALID_AROUND_FIXED_NOW,
    at,
    deliver,
    hardware_ticket,
)

pytestmark = pytest.mark.django_db


def rma_events(ticket):
    return list(
        ticket.events.filter(kind=Event.Kind.RMA_CHANGED).values_list("data__old", "data__new")
    )


def test_r13_life_cycle_is_logged_on_the_ticket_step_by_step(ticket, open_rma, agent, alice, clock):
    rma = open_rma(promised_at=at(2, 16))
    deliver(rma, agent, clock, shipped=at(1, 12), delivered=at(2, 9))
    services.confirm_return(rma, by_contact=alice, courier_code="JJFI6401234567")
    services.mark_received_by_vendor(rma, by=agent)
    services.close_rma(rma, by=agent)

    rma.refresh_from_db()
    assert rma.status == Rma.Status.CLOSED
    assert rma_events(ticket) == [
        ("", "requested"),
        ("requested", "shipped"),
        ("shipped", "delivered"),
        ("delivered", "return_pending"),
        ("return_pending", "returned"),
        ("returned", "received"),
        ("received", "closed"),
    ]
    returned = ticket.events.get(data__new="returned")
    assert returned.data["courier_code"] == "JJFI6401234567"
    assert returned.actor_label == str(alice)


def test_r9_rma_takes_delivery_details_and_vendor_policy_as_they_were(ticket, open_rma, cisco):
    rma = open_rma()
    cisco.return_window_days = 30
    cisco.return_instructions_en = "Changed later"
    cisco.return_instructions_fi = "Muutettu myöhemmin"
    cisco.save()

    rma.refresh_from_db()
    assert rma.delivery_address == ticket.delivery_address
    assert rma.delivery_contact == ticket.delivery_contact
    assert rma.return_window_days == 10
    assert (rma.return_instructions_fi, rma.return_instructions_en) == (
        CISCO_INSTRUCTIONS_FI,
        CISCO_INSTRUCTIONS,
    )
    assert rma.failed_serial == "FOC2233X0AB"
    assert rma.opened_at == FIXED_NOW


def test_r13_delivery_swaps_the_serial_and_keeps_the_failed_one_in_history(
    ticket, open_rma, agent, alice_device, clock
):
    contract = alice_device.contract
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 12), delivered=at(2, 9), serial="foc9999x0ne")

    device = Device.objects.get(pk=alice_device.pk)
    assert device.serial_number == "FOC9999X0NE"
    assert device.contract == contract
    assert device.customer == alice_device.customer
    [swap] = device_history(device)
    assert (swap.old_serial, swap.new_serial, swap.rma) == ("FOC2233X0AB", "FOC9999X0NE", rma)
    assert swap.contract_number == contract.number
    assert device_by_any_serial("foc2233x0ab") == device
    # The ticket keeps what it said when it was opened.
    ticket.refresh_from_db()
    assert ticket.serial_number == "FOC2233X0AB"


def test_a_failed_module_keeps_the_chassis_serial(ticket, open_rma, agent, alice_device, clock):
    rma = open_rma(part_number="PWR-C1-715WAC=", failed_serial="LIT2233PSU1")
    deliver(rma, agent, clock, shipped=at(1, 12), delivered=at(2, 9), serial="LIT9999PSU2")

    assert Device.objects.get(pk=alice_device.pk).serial_number == "FOC2233X0AB"
    assert not DeviceSwap.objects.exists()


def test_return_due_counts_the_vendor_window_from_delivery(ticket, open_rma, agent, clock):
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 12), delivered=at(1, 15))
    assert rma.return_due == date(2026, 12, 11)  # Friday, ten days after


@pytest.mark.parametrize(
    ("delivered", "expected"),
    [
        (at(26, 10, month=11), date(2026, 12, 7)),  # Sun 6.12 Independence Day → Monday
        (at(14, 10), date(2026, 12, 28)),  # Christmas Eve, Christmas, St Stephen's, Sunday
        (at(2, 23), date(2026, 12, 14)),  # 12.12 is a Saturday
    ],
)
def test_r14_return_due_moves_past_weekends_and_finnish_holidays(delivered, expected):
    assert return_due_date(delivered, window_days=10) == expected


def test_r9_no_rma_without_a_suspected_hardware_fault(clock, alice, alice_device, agent):
    ticket = hardware_ticket(alice, alice_device.serial_number, hardware_fault=False)
    with pytest.raises(RmaError) as error:
        services.open_rma(ticket, by=agent, part_number="C9300-48P-E")
    assert error.value.code == "no_hardware_fault"
    assert not Rma.objects.exists()
    assert not ticket.events.filter(kind=Event.Kind.RMA_CHANGED).exists()


@pytest.mark.parametrize("missing", ["delivery_address", "delivery_contact"])
def test_r9_no_rma_without_delivery_details(clock, alice, alice_device, agent, missing):
    ticket = hardware_ticket(alice, alice_device.serial_number, **{missing: ""})
    with pytest.raises(RmaError) as error:
        services.open_rma(ticket, by=agent, part_number="C9300-48P-E")
    assert error.value.code == "no_delivery_details"
    assert not Rma.objects.exists()


@pytest.mark.parametrize(
    "part_number", ["", "-", "==", "<script>alert(1)</script>", "C9300 48P E ä", "X" * 41]
)
def test_unknown_part_numbers_are_refused(ticket, open_rma, part_number):
    with pytest.raises(RmaError) as error:
        open_rma(part_number=part_number)
    assert (error.value.code, error.value.field) == ("part_number", "part_number")
    assert not Rma.objects.exists()


def test_part_numbers_are_written_the_vendors_way(ticket, open_rma):
    assert open_rma(part_number=" c9300-48p-e= ").part_number == "C9300-48P-E="


def test_replacement_serial_already_in_the_install_base_is_refused(
    ticket, open_rma, agent, charlie_device
):
    with pytest.raises(RmaError) as error:
        open_rma(replacement_serial=charlie_device.serial_number.lower())
    assert error.value.code == "serial_in_install_base"
    assert not Rma.objects.exists()

    rma = open_rma()
    events_before = rma_events(ticket)
    with pytest.raises(RmaError):
        services.mark_shipped(
            rma,
            by=agent,
            courier="DHL",
            tracking_code="JD1",
            replacement_serial=charlie_device.serial_number,
        )
    rma.refresh_from_db()
    assert (rma.status, rma.replacement_serial, rma.courier) == ("requested", "", "")
    assert rma_events(ticket) == events_before


def test_one_replacement_unit_is_on_one_live_rma(clock, alice, alice_device, agent, open_rma):
    first = open_rma(replacement_serial="FOC9999X0NE")
    other_device = DeviceFactory(
        customer=alice.customer, vendor=alice_device.vendor, **VALID_AROUND_FIXED_NOW
    )
    other = hardware_ticket(alice, other_device.serial_number)
    with pytest.raises(RmaError) as error:
        services.open_rma(
            other, by=agent, part_number="C9300-48P-E", replacement_serial="FOC9999X0NE"
        )
    assert error.value.code == "serial_on_other_rma"

    services.cancel_rma(first, by=agent, reason="Wrong diagnosis")
    assert services.open_rma(
        other, by=agent, part_number="C9300-48P-E", replacement_serial="FOC9999X0NE"
    )


def test_dates_in_the_wrong_order_are_refused_and_nothing_changes(ticket, open_rma, agent):
    with pytest.raises(RmaError) as error:
        open_rma(promised_at=FIXED_NOW - timedelta(hours=1))
    assert (error.value.code, error.value.field) == ("promised_before_opened", "promised_at")

    rma = open_rma()
    with pytest.raises(RmaError) as error:  # shipped before it was ordered
        services.mark_shipped(
            rma, by=agent, courier="DHL", tracking_code="JD1", replacement_serial="FOC9999X0NE",
            shipped_at=FIXED_NOW - timedelta(days=1),
        )  # fmt: skip
    assert error.value.code == "dates_order"
    with pytest.raises(RmaError) as error:  # shipped tomorrow
        services.mark_shipped(
            rma, by=agent, courier="DHL", tracking_code="JD1", replacement_serial="FOC9999X0NE",
            shipped_at=FIXED_NOW + timedelta(days=1),
        )  # fmt: skip
    assert error.value.code == "future"
    rma.refresh_from_db()
    assert rma.status == Rma.Status.REQUESTED

    services.mark_shipped(
        rma, by=agent, courier="DHL", tracking_code="JD1", replacement_serial="FOC9999X0NE"
    )
    events_before = rma_events(ticket)
    with pytest.raises(RmaError) as error:  # delivered before it was shipped
        services.mark_delivered(rma, by=agent, delivered_at=FIXED_NOW - timedelta(minutes=1))
    assert error.value.code == "dates_order"
    rma.refresh_from_db()
    assert (rma.status, rma.delivered_at, rma.return_due) == ("shipped", None, None)
    assert rma_events(ticket) == events_before
    assert Device.objects.filter(serial_number="FOC2233X0AB").exists()


def test_r13_a_return_confirmed_twice_is_a_clear_no_op(ticket, open_rma, agent, alice, clock):
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 10))
    services.confirm_return(rma, by_contact=alice, courier_code="JJFI1")
    events_before = rma_events(ticket)

    clock.shift(timedelta(days=1))
    with pytest.raises(RmaError) as error:
        services.confirm_return(rma, by_contact=alice, courier_code="JJFI2")
    assert error.value.code == "already_returned"
    assert "1.12.2026" in error.value.message
    rma.refresh_from_db()
    assert (rma.return_courier_code, rma.returned_at) == ("JJFI1", FIXED_NOW)
    assert rma_events(ticket) == events_before


def test_r13_a_return_with_no_due_date_is_confirmed_and_not_late(
    ticket, open_rma, agent, alice, clock
):
    # The admin can clear the due date of a delivered RMA; the customer's confirmation must
    # still go through, and a return with no due date cannot be late.
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 10))
    Rma.objects.filter(pk=rma.pk).update(return_due=None)
    rma.refresh_from_db()

    services.confirm_return(rma, by_contact=alice, courier_code="JJFI1")

    rma.refresh_from_db()
    assert (rma.status, rma.return_courier_code) == (Rma.Status.RETURNED, "JJFI1")
    assert ticket.events.get(data__new="returned").data["late"] is False


def test_r13_return_cannot_be_confirmed_before_delivery(ticket, open_rma, alice):
    rma = open_rma()
    with pytest.raises(RmaError) as error:
        services.confirm_return(rma, by_contact=alice, courier_code="JJFI1")
    assert error.value.code == "wrong_state"


def test_r11_another_company_cannot_confirm_the_return(ticket, open_rma, agent, charlie, clock):
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 10))
    with pytest.raises(PermissionDenied):
        services.confirm_return(rma, by_contact=charlie, courier_code="JJFI1")
    end_user = ContactFactory(customer=ticket.customer, is_technical=False)
    with pytest.raises(PermissionDenied):
        services.confirm_return(rma, by_contact=end_user, courier_code="JJFI1")
    rma.refresh_from_db()
    assert rma.status == Rma.Status.RETURN_PENDING


def test_only_agents_change_an_rma(ticket, open_rma, alice_user):
    with pytest.raises(PermissionDenied):
        services.open_rma(ticket, by=alice_user, part_number="C9300-48P-E")
    rma = open_rma()
    with pytest.raises(PermissionDenied):
        services.cancel_rma(rma, by=alice_user, reason="no")


def test_r13_return_instructions_are_mailed_with_the_delivery_in_the_contacts_language(
    ticket, open_rma, agent, alice, clock
):
    alice.language = "en"
    alice.save()
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 11))

    mail = OutboundMail.objects.get(kind="rma_return_instructions")
    assert mail.to == [alice.email]
    assert mail.subject.startswith(f"[{ticket.tracking_number}] Replacement delivered")
    assert CISCO_INSTRUCTIONS in mail.body
    assert CISCO_INSTRUCTIONS_FI not in mail.body
    assert "88412345" in mail.body
    assert "11.12.2026" in mail.body
    assert mail.auto_submitted


def test_r13_a_finnish_contact_gets_the_vendors_finnish_return_instructions(
    ticket, open_rma, agent, alice, clock
):
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 11))

    mail = OutboundMail.objects.get(kind="rma_return_instructions")
    assert CISCO_INSTRUCTIONS_FI in mail.body
    assert CISCO_INSTRUCTIONS not in mail.body


def test_r13_instructions_kept_in_one_language_only_are_shown_in_it_rather_than_none(
    ticket, open_rma, agent, alice, clock, cisco
):
    cisco.return_instructions_fi = ""
    cisco.save()
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 11))

    mail = OutboundMail.objects.get(kind="rma_return_instructions")
    assert CISCO_INSTRUCTIONS in mail.body


def test_r13_the_vendor_rma_number_arriving_later_starts_the_return(
    ticket, open_rma, agent, alice, clock
):
    rma = open_rma(vendor_rma_number="")
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 11))
    assert rma.status == Rma.Status.DELIVERED
    assert not OutboundMail.objects.filter(kind="rma_return_instructions").exists()

    services.set_vendor_rma_number(rma, by=agent, vendor_rma_number=" 88412345 ")

    assert rma.status == Rma.Status.RETURN_PENDING
    mail = OutboundMail.objects.get(kind="rma_return_instructions")
    assert "Palauta" in mail.body or "palauta" in mail.body  # Finnish: the contact's language
    assert "88412345" in mail.body


def test_cancel_only_before_delivery_and_with_a_reason(ticket, open_rma, agent, clock):
    rma = open_rma()
    with pytest.raises(RmaError) as error:
        services.cancel_rma(rma, by=agent, reason="  ")
    assert error.value.code == "reason"
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 11))
    with pytest.raises(RmaError) as error:
        services.cancel_rma(rma, by=agent, reason="Changed our mind")
    assert error.value.code == "wrong_state"


def test_close_needs_the_vendor_to_have_the_unit(ticket, open_rma, agent, alice, clock):
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 11))
    services.confirm_return(rma, by_contact=alice, courier_code="JJFI1")
    with pytest.raises(RmaError):
        services.close_rma(rma, by=agent)
    services.mark_received_by_vendor(rma, by=agent)
    assert services.close_rma(rma, by=agent).status == Rma.Status.CLOSED


def test_replacement_delivery_gives_the_sla_engine_its_two_instants(ticket, open_rma, agent, clock):
    assert replacement_delivery(ticket) is None
    cancelled = open_rma()
    services.cancel_rma(cancelled, by=agent, reason="Duplicate")
    assert replacement_delivery(ticket) is None

    rma = open_rma()
    assert replacement_delivery(ticket) == (FIXED_NOW, None)
    deliver(rma, agent, clock, shipped=at(1, 10), delivered=at(1, 15))
    assert replacement_delivery(ticket) == (FIXED_NOW, at(1, 15))


def test_no_rma_on_a_closed_ticket(ticket, agent):
    change_status(ticket, status="closed", by=agent)
    with pytest.raises(RmaError) as error:
        services.open_rma(ticket, by=agent, part_number="C9300-48P-E")
    assert error.value.code == "ticket_closed"
    assert not Rma.objects.exists()
