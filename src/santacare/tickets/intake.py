"""The one door every channel goes through to open a ticket.

`open_ticket` (here) and `add_message` (`conversation.py`) enforce the rules once, the same way
for the portal, email, phone and the API: R1 entitlement, R3 install-base snapshot, R8
phone-only cases, R9 required information, R10 Managed Services redirect, R11 technical
contacts only. They return an `IntakeResult` value that the channel renders (`wording.py` words
it); they do not raise for a customer's mistake. Status and SLA timestamps move only through
`status.py`.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from santacare.accounts.models import User
from santacare.core.text import clean_line, clean_text
from santacare.core.time import helsinki, now
from santacare.customers.models import Contact
from santacare.installbase.entitlement import Entitlement, entitlement
from santacare.installbase.models import SERIAL_NUMBER_RE, Device, normalize_serial_number
from santacare.installbase.queries import device_by_serial

from .access import may_act_on
from .conversation import store_message
from .events import record_event
from .models import (
    MAX_BODY_LENGTH,
    MAX_FIELD_LENGTH,
    MAX_SUBJECT_LENGTH,
    Channel,
    Event,
    Message,
    Priority,
    RequiredItem,
    Ticket,
)
from .notifications import acknowledge_ticket
from .outcomes import Outcome, Reason
from .results import IntakeResult
from .rules import missing_information, phone_only_reason, snapshot_device
from .signals import ticket_opened, ticket_opening
from .status import move_ticket, opening_status
from .tracking import allocate_tracking_number


@dataclass(frozen=True, kw_only=True)
class TicketRequest:
    """What a channel received, translated into the desk's words; nothing is trusted yet."""

    channel: Channel
    contact: Contact | None
    subject: str = ""
    description: str = ""
    serial_number: str = ""
    device_type: str = ""
    priority: Priority = Priority.P3
    hardware_fault: bool = False
    delivery_address: str = ""
    delivery_contact: str = ""
    opened_by: User | None = None
    received_at: datetime | None = None
    email_message_id: str = ""
    email_references: tuple[str, ...] = ()
    # The device a channel already found for `serial_number` (mail reads serials from the text):
    # used only if it is that serial and the contact's customer's own (R3), else looked up.
    device: Device | None = None
    # R1: the agent chose to open a billable ticket for a device without a valid contract; it
    # counts only on a phone ticket by an agent where settings.ALLOW_OUT_OF_CONTRACT is on.
    out_of_contract: bool = False
    # The mail gateway turns this off for mail that must not be answered by a robot (loops,
    # RFC 3834); every other channel gets the acknowledgement (R6).
    acknowledge: bool = True


# No savepoint of its own inside a caller's transaction (the mail gateway's, which has one per
# mail): a raise rolls back whatever the caller's atomic block covers, so nothing half-opened
# stays, and two statements per ticket are saved.
@transaction.atomic(savepoint=False)
def open_ticket(request: TicketRequest) -> IntakeResult:
    """Open a ticket, or say why not; a ticket opened gets its acknowledgement queued (R6)."""
    result = _open_ticket(request)
    if result.ticket is not None:
        ticket_opened.send(sender=Ticket, ticket=result.ticket)
    if result.ticket is not None and request.acknowledge:
        # In the contact's language (R14), whatever language the agent or the web request uses.
        with translation.override(result.ticket.language):
            explanation = result.explanation()
        acknowledge_ticket(
            result.ticket,
            explanation=explanation,
            in_reply_to=request.email_message_id,
            references=(*request.email_references, request.email_message_id)
            if request.email_message_id
            else (),
        )
    return result


def _open_ticket(request: TicketRequest) -> IntakeResult:
    contact = request.contact
    if contact is None:
        return IntakeResult(Outcome.REFUSED, reason=Reason.UNKNOWN_SENDER)
    if not contact.may_open_tickets:
        # R11: end users are not served, in any channel.
        return IntakeResult(Outcome.REFUSED, reason=Reason.NOT_TECHNICAL_CONTACT)

    received_at = request.received_at or now()
    serial_number = normalize_serial_number(clean_line(request.serial_number, max_length=200))
    device = None
    if serial_number:
        # R3: only the sender's own install base counts. Another company's serial gets the same
        # answer as an unknown one, so the reply does not reveal whose device it is.
        if _is_found_device(request.device, serial_number, contact=contact):
            device = request.device
        elif SERIAL_NUMBER_RE.match(serial_number):
            device = device_by_serial(serial_number, customer=contact.customer)
        if device is None:
            return IntakeResult(Outcome.REFUSED, reason=Reason.UNKNOWN_SERIAL, contact=contact)
        match entitlement(device, on=helsinki(received_at).date()):
            case Entitlement.MANAGED_SERVICES:
                return IntakeResult(
                    Outcome.REDIRECTED, reason=Reason.MANAGED_SERVICES, device=device
                )
            case Entitlement.EXPIRED | Entitlement.NO_CONTRACT:
                if not _may_open_out_of_contract(request):
                    return IntakeResult(
                        Outcome.REFUSED,
                        reason=Reason.NO_VALID_CONTRACT,
                        device=device,
                        contact=contact,
                    )

    ticket = _build_ticket(request, contact=contact, device=device, received_at=received_at)
    # Everything the ticket is told at opening is decided before its one INSERT; its events
    # follow the opening one in a single INSERT (issue 12: a save per rule cost a round trip).
    events = []
    if device is not None and not ticket.service_level_id and _may_open_out_of_contract(request):
        ticket.out_of_contract = True
        events.append(
            _event(
                ticket,
                Event.Kind.OUT_OF_CONTRACT,
                by=request.opened_by,
                contract=ticket.contract_number,
            )
        )
    phone_reason = None
    if request.channel != Channel.PHONE:
        phone_reason = phone_only_reason(
            priority=request.priority, service_level=ticket.service_level, at=ticket.received_at
        )
    if phone_reason:
        ticket.phone_call_required = True
        events.append(
            _event(
                ticket,
                Event.Kind.PHONE_CALL_REQUIRED,
                by_label=str(contact),
                reason=phone_reason,
            )
        )
    elif ticket.missing_information:
        events.append(
            _event(
                ticket,
                Event.Kind.INFO_REQUESTED,
                by_label=str(contact),
                missing=ticket.missing_information,
            )
        )
    ticket_opening.send(sender=Ticket, ticket=ticket, events=events)
    ticket.save(force_insert=True)
    message = store_message(
        ticket,
        visibility=Message.Visibility.PUBLIC,
        direction=Message.Direction.INBOUND,
        channel=request.channel,
        author_contact=contact,
        author_user=request.opened_by,
        author_email=contact.email,
        body=ticket.description,
        email_message_id=request.email_message_id,
        event=Event.Kind.OPENED,
        by=request.opened_by,
        by_label=str(request.opened_by or contact),
        event_data={"channel": request.channel},
        more_events=events,
    )
    if phone_reason:
        return IntakeResult(
            Outcome.MUST_CALL,
            ticket=ticket,
            reason=phone_reason,
            missing=tuple(ticket.missing_information),
            message=message,
            device=device,
        )
    if ticket.missing_information:
        return IntakeResult(
            Outcome.INFO_REQUESTED,
            ticket=ticket,
            missing=tuple(ticket.missing_information),
            message=message,
            device=device,
        )
    return IntakeResult(Outcome.CREATED, ticket=ticket, message=message, device=device)


def _event(
    ticket: Ticket, kind: str, *, by: User | None = None, by_label: str = "", **data: object
) -> Event:
    """An event as `record_event` writes it, for `store_message` to insert with its own."""
    label = by_label or (str(by) if by else "")
    return Event(ticket=ticket, kind=kind, actor=by, actor_label=label, data=data)


def _is_found_device(device: Device | None, serial_number: str, *, contact: Contact) -> bool:
    return (
        device is not None
        and device.serial_number == serial_number
        and device.customer_id == contact.customer_id
    )


def _build_ticket(
    request: TicketRequest, *, contact: Contact, device: Device | None, received_at: datetime
) -> Ticket:
    description = clean_text(request.description, max_length=MAX_BODY_LENGTH)
    # Without a subject (optional in the portal and on the phone) the first line of the
    # description stands in, as the forms tell the person filling them in.
    subject = clean_line(request.subject, max_length=MAX_SUBJECT_LENGTH) or clean_line(
        description.partition("\n")[0], max_length=80
    )
    ticket = Ticket(
        tracking_number=allocate_tracking_number(),
        customer=contact.customer,
        contact=contact,
        device=device,
        channel=request.channel,
        subject=subject or _("Support request"),
        description=description,
        priority=request.priority,
        language=contact.language,
        opened_by=request.opened_by,
        hardware_fault=request.hardware_fault,
        delivery_address=clean_text(request.delivery_address, max_length=MAX_FIELD_LENGTH),
        delivery_contact=clean_line(request.delivery_contact, max_length=300),
        received_at=received_at,
    )
    if device is not None:
        snapshot_device(ticket, device)
    else:
        ticket.device_type = clean_line(request.device_type, max_length=200)
    ticket.missing_information = missing_information(ticket)
    ticket.status = opening_status(ticket.missing_information)
    return ticket


def _may_open_out_of_contract(request: TicketRequest) -> bool:
    """R1's one exception: an agent on the phone, the customer agreeing to billable work, and
    a desk whose policy allows it."""
    return bool(
        request.out_of_contract
        and settings.ALLOW_OUT_OF_CONTRACT
        and request.channel == Channel.PHONE
        and request.opened_by is not None
        and request.opened_by.is_agent
    )


@transaction.atomic
def supply_information(
    ticket: Ticket,
    *,
    contact: Contact | None,
    serial_number: str = "",
    delivery_address: str = "",
    delivery_contact: str = "",
    description: str = "",
) -> IntakeResult:
    """R9: a reply brings items the ticket was missing; fill only what is still missing.

    A serial number counts only if it is in the ticket customer's own install base (R3), and
    only a technical contact of the ticket's customer may supply anything.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not may_act_on(ticket, contact=contact):
        return IntakeResult(Outcome.REFUSED, ticket=ticket, reason=Reason.NOT_ON_THIS_TICKET)
    missing_before = list(ticket.missing_information)
    if not missing_before:
        return IntakeResult(Outcome.APPENDED, ticket=ticket)
    supplied: list[str] = []
    if RequiredItem.SERIAL_NUMBER in missing_before and serial_number:
        device = device_by_serial(serial_number, customer=ticket.customer)
        on = helsinki(ticket.received_at).date()
        if device is not None and entitlement(device, on=on) == Entitlement.COVERED:
            snapshot_device(ticket, device)
            supplied += [RequiredItem.SERIAL_NUMBER, RequiredItem.DEVICE_TYPE]
    if RequiredItem.DELIVERY_ADDRESS in missing_before and delivery_address.strip():
        ticket.delivery_address = clean_text(delivery_address, max_length=MAX_FIELD_LENGTH)
        supplied.append(RequiredItem.DELIVERY_ADDRESS)
    if RequiredItem.DELIVERY_CONTACT in missing_before and delivery_contact.strip():
        ticket.delivery_contact = clean_line(delivery_contact, max_length=300)
        supplied.append(RequiredItem.DELIVERY_CONTACT)
    if RequiredItem.DESCRIPTION in missing_before and description.strip():
        ticket.description = clean_text(description, max_length=MAX_BODY_LENGTH)
        supplied.append(RequiredItem.DESCRIPTION)
    ticket.missing_information = missing_information(ticket)
    if ticket.missing_information == missing_before:
        return IntakeResult(
            Outcome.INFO_REQUESTED, ticket=ticket, missing=tuple(ticket.missing_information)
        )
    ticket.save()
    record_event(
        ticket,
        Event.Kind.INFO_SUPPLIED,
        by_label=str(contact),
        supplied=[str(item) for item in supplied if item in missing_before],
        missing=ticket.missing_information,
    )
    if ticket.missing_information:
        return IntakeResult(
            Outcome.INFO_REQUESTED, ticket=ticket, missing=tuple(ticket.missing_information)
        )
    if ticket.status == Ticket.Status.INFO_REQUESTED:
        move_ticket(ticket, Ticket.Status.NEW, by_label=str(contact))
    return IntakeResult(Outcome.APPENDED, ticket=ticket)
