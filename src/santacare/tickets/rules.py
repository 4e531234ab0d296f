"""The rules intake applies to a ticket's content: R3's install-base snapshot, R8's phone-only
cases and R9's required information. Pure decisions on a ticket; the door writes them."""

from datetime import datetime

from santacare.calendars.services import is_office_hours
from santacare.core.time import helsinki
from santacare.installbase.entitlement import Entitlement, entitlement
from santacare.installbase.models import Device, ServiceLevel

from .models import Priority, RequiredItem, Ticket
from .outcomes import Reason


def snapshot_device(ticket: Ticket, device: Device) -> None:
    """R3: copy what the install base says about the device onto the ticket, as it is today."""
    contract = device.contract
    ticket.device = device
    ticket.serial_number = device.serial_number
    ticket.device_type = device.description
    ticket.contract_number = contract.number if contract else ""
    # Only a valid contract brings its service level; an out-of-contract ticket has no SLA.
    covered = entitlement(device, on=helsinki(ticket.received_at).date()) == Entitlement.COVERED
    if covered and contract is not None and contract.service_level is not None:
        ticket.service_level = contract.service_level
        ticket.service_level_name = contract.service_level.name


def missing_information(ticket: Ticket) -> list[str]:
    """R9: what the ticket still lacks, in a fixed order; asked for, never guessed."""
    required = {
        RequiredItem.DESCRIPTION: ticket.description,
        RequiredItem.SERIAL_NUMBER: ticket.serial_number,
        RequiredItem.DEVICE_TYPE: ticket.device_type,
    }
    if ticket.hardware_fault:
        required[RequiredItem.DELIVERY_ADDRESS] = ticket.delivery_address
        required[RequiredItem.DELIVERY_CONTACT] = ticket.delivery_contact
    return [str(item) for item, value in required.items() if not value]


def phone_only_reason(
    *, priority: str | None, service_level: ServiceLevel | None, at: datetime
) -> Reason | None:
    """R8: critical requests, and Advanced requests outside office hours, must be phoned in.

    The portal also asks this while a form is being filled, to show the phone number early.
    Office hours are the desk's calendar, with the admin's exceptions.
    """
    if priority == Priority.P1:
        return Reason.CRITICAL
    if service_level and service_level.phone_only_outside_office_hours and not is_office_hours(at):
        return Reason.OUTSIDE_OFFICE_HOURS
    return None
