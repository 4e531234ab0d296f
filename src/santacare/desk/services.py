"""The desk's own actions, the ones that are more than one ticket change."""

from dataclasses import dataclass

from django.db import transaction

from santacare.accounts.models import User
from santacare.core.text import clean_line
from santacare.customers.models import Contact
from santacare.installbase.models import Device
from santacare.telephony.models import Call
from santacare.telephony.services import attach_call
from santacare.tickets.events import record_event
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Priority
from santacare.tickets.results import IntakeResult

TECHNICAL_CONTACT_ADDED = "technical_contact_added"


@dataclass(frozen=True, kw_only=True)
class PhoneCall:
    contact: Contact
    device: Device
    subject: str
    description: str
    priority: Priority = Priority.P3
    hardware_fault: bool = False
    delivery_address: str = ""
    delivery_contact: str = ""
    # R11: a caller who is not yet a technical contact, confirmed by the company on the call.
    add_as_technical_contact: bool = False
    confirmed_by: str = ""
    # R1 policy: the caller agreed to billable work on a device without a valid contract.
    out_of_contract: bool = False
    # The phone system's record of the call, written on the ticket (who, when, how long).
    call: Call | None = None


@transaction.atomic
def open_phone_ticket(call: PhoneCall, *, agent: User) -> IntakeResult:
    """R7: the agent opens the ticket on the caller's behalf, through the same intake as all.

    Making the caller a technical contact is part of the same step, so it is never done
    without a ticket whose log says who did it and who at the company confirmed it.
    """
    contact = call.contact
    promoted = call.add_as_technical_contact and not contact.is_technical
    if promoted:
        contact.is_technical = True
        contact.save(update_fields=["is_technical", "updated_at"])
    result = open_ticket(
        TicketRequest(
            channel=Channel.PHONE,
            contact=contact,
            subject=call.subject,
            description=call.description,
            serial_number=call.device.serial_number,
            device_type=call.device.description,
            priority=call.priority,
            hardware_fault=call.hardware_fault,
            delivery_address=call.delivery_address if call.hardware_fault else "",
            delivery_contact=call.delivery_contact if call.hardware_fault else "",
            opened_by=agent,
            out_of_contract=call.out_of_contract,
        )
    )
    if call.call is not None and result.ticket is not None:
        attach_call(call.call, result.ticket)
    if promoted:
        if result.ticket is None:
            # No ticket (say, the contract has expired): the promotion goes with it.
            transaction.set_rollback(True)
            contact.is_technical = False
        else:
            record_event(
                result.ticket,
                TECHNICAL_CONTACT_ADDED,
                by=agent,
                contact=contact.pk,
                contact_name=contact.name,
                confirmed_by=clean_line(call.confirmed_by, max_length=200),
            )
    return result
