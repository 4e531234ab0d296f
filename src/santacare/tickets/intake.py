"""The one door every channel goes through (DESIGN §1).

`open_ticket` and `add_message` enforce the rules of MISSION.md once, the same way for the
portal, email, phone and the API: R1 entitlement, R3 install-base snapshot, R8 phone-only
cases, R9 required information, R10 Managed Services redirect, R11 technical contacts only.
They return an `IntakeResult` value that the channel renders; they do not raise for a
customer's mistake.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santacare.accounts.models import User
from santacare.core.text import clean_line, clean_text
from santacare.core.time import helsinki, now
from santacare.customers.models import Contact
from santacare.installbase.entitlement import Entitlement, entitlement
from santacare.installbase.models import (
    SERIAL_NUMBER_RE,
    Device,
    ServiceLevel,
    normalize_serial_number,
)
from santacare.installbase.queries import device_by_serial
from santacare.sla.calendars import is_office_hours

from .events import record_event
from .models import Channel, Event, Message, Priority, RequiredItem, Ticket
from .notifications import acknowledge_ticket, mail_agent_reply
from .tracking import allocate_tracking_number

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 100_000
MAX_FIELD_LENGTH = 2_000


class Outcome:
    CREATED = "created"
    APPENDED = "appended"
    INFO_REQUESTED = "info_requested"
    MUST_CALL = "must_call"
    REDIRECTED = "redirected"
    REFUSED = "refused"


class Reason:
    UNKNOWN_SENDER = "unknown_sender"
    NOT_TECHNICAL_CONTACT = "not_technical_contact"
    UNKNOWN_SERIAL = "unknown_serial"
    NO_VALID_CONTRACT = "no_valid_contract"
    MANAGED_SERVICES = "managed_services"
    CRITICAL = "critical"
    OUTSIDE_OFFICE_HOURS = "outside_office_hours"
    NOT_ON_THIS_TICKET = "not_on_this_ticket"
    EMPTY_MESSAGE = "empty_message"


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
    # R1: the agent chose to open a billable ticket for a device without a valid contract; it
    # counts only on a phone ticket by an agent where settings.ALLOW_OUT_OF_CONTRACT is on.
    out_of_contract: bool = False
    # The mail gateway turns this off for mail that must not be answered by a robot (loops,
    # RFC 3834); every other channel gets the acknowledgement (R6).
    acknowledge: bool = True


@dataclass(frozen=True)
class IntakeResult:
    outcome: str
    ticket: Ticket | None = None
    reason: str | None = None
    missing: tuple[str, ...] = ()
    message: Message | None = None
    device: Device | None = field(default=None, compare=False)

    @property
    def tracking_number(self) -> str | None:
        return self.ticket.tracking_number if self.ticket else None

    def explanation(self) -> str:
        """What the customer (or the agent) is told, in the active language."""
        return explain(self)


@transaction.atomic
def open_ticket(request: TicketRequest) -> IntakeResult:
    """Open a ticket, or say why not; a ticket opened gets its acknowledgement queued (R6)."""
    result = _open_ticket(request)
    if result.ticket is not None and request.acknowledge:
        # In the contact's language (R14), whatever language the agent or the web request uses.
        with translation.override(result.ticket.language):
            explanation = explain(result)
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
        if SERIAL_NUMBER_RE.match(serial_number):
            device = device_by_serial(serial_number, customer=contact.customer)
        if device is None:
            return IntakeResult(Outcome.REFUSED, reason=Reason.UNKNOWN_SERIAL)
        match entitlement(device, on=helsinki(received_at).date()):
            case Entitlement.MANAGED_SERVICES:
                return IntakeResult(
                    Outcome.REDIRECTED, reason=Reason.MANAGED_SERVICES, device=device
                )
            case Entitlement.EXPIRED | Entitlement.NO_CONTRACT:
                if not _may_open_out_of_contract(request):
                    return IntakeResult(
                        Outcome.REFUSED, reason=Reason.NO_VALID_CONTRACT, device=device
                    )

    ticket = _create_ticket(request, contact=contact, device=device, received_at=received_at)
    message = Message.objects.create(
        ticket=ticket,
        visibility=Message.Visibility.PUBLIC,
        direction=Message.Direction.INBOUND,
        channel=request.channel,
        author_contact=contact,
        author_user=request.opened_by,
        author_email=contact.email,
        body=ticket.description,
        email_message_id=request.email_message_id,
    )
    record_event(
        ticket,
        Event.Kind.OPENED,
        by=request.opened_by,
        by_label=str(request.opened_by or contact),
        channel=request.channel,
    )

    if device is not None and not ticket.service_level_id and _may_open_out_of_contract(request):
        ticket.out_of_contract = True
        ticket.save(update_fields=["out_of_contract", "updated_at"])
        record_event(
            ticket,
            Event.Kind.OUT_OF_CONTRACT,
            by=request.opened_by,
            contract=ticket.contract_number,
        )

    phone_reason = None
    if request.channel != Channel.PHONE:
        phone_reason = phone_only_reason(
            priority=request.priority, service_level=ticket.service_level, at=ticket.received_at
        )
    if phone_reason:
        ticket.phone_call_required = True
        ticket.save(update_fields=["phone_call_required", "updated_at"])
        record_event(
            ticket, Event.Kind.PHONE_CALL_REQUIRED, by_label=str(contact), reason=phone_reason
        )
        return IntakeResult(
            Outcome.MUST_CALL,
            ticket=ticket,
            reason=phone_reason,
            missing=tuple(ticket.missing_information),
            message=message,
            device=device,
        )
    if ticket.missing_information:
        record_event(
            ticket,
            Event.Kind.INFO_REQUESTED,
            by_label=str(contact),
            missing=ticket.missing_information,
        )
        return IntakeResult(
            Outcome.INFO_REQUESTED,
            ticket=ticket,
            missing=tuple(ticket.missing_information),
            message=message,
            device=device,
        )
    return IntakeResult(Outcome.CREATED, ticket=ticket, message=message, device=device)


def _create_ticket(
    request: TicketRequest, *, contact: Contact, device: Device | None, received_at: datetime
) -> Ticket:
    description = clean_text(request.description, max_length=MAX_BODY_LENGTH)
    subject = clean_line(request.subject, max_length=MAX_SUBJECT_LENGTH) or clean_line(
        description, max_length=80
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
        _snapshot_device(ticket, device)
    else:
        ticket.device_type = clean_line(request.device_type, max_length=200)
    ticket.missing_information = missing_information(ticket)
    if ticket.missing_information:
        ticket.status = Ticket.Status.INFO_REQUESTED
    ticket.save()
    return ticket


def _snapshot_device(ticket: Ticket, device: Device) -> None:
    contract = device.contract
    ticket.device = device
    ticket.serial_number = device.serial_number
    ticket.device_type = device.description
    ticket.contract_number = contract.number if contract else ""
    # Only a valid contract brings its service level; an out-of-contract ticket has no SLA.
    if entitlement(device, on=helsinki(ticket.received_at).date()) == Entitlement.COVERED:
        ticket.service_level = contract.service_level
        ticket.service_level_name = contract.service_level.name


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
) -> str | None:
    """R8: critical requests, and Advanced requests outside office hours, must be phoned in.

    The portal also asks this while a form is being filled, to show the phone number early.
    """
    if priority == Priority.P1:
        return Reason.CRITICAL
    if service_level and service_level.phone_only_outside_office_hours and not is_office_hours(at):
        return Reason.OUTSIDE_OFFICE_HOURS
    return None


@transaction.atomic
def add_message(
    ticket: Ticket,
    *,
    body: str,
    channel: Channel,
    author_contact: Contact | None = None,
    author_user: User | None = None,
    internal: bool = False,
    body_html: str = "",
    email_message_id: str = "",
    held_for_review: bool = False,
) -> IntakeResult:
    """Continue a ticket (R4): a customer's or an agent's reply, or an agent's internal note.

    A public agent reply is mailed to the ticket's contact; an internal note never is. A
    message held for review is stored for agents only and changes nothing on the ticket.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    is_agent = author_user is not None and author_user.is_agent
    if not is_agent and not may_act_on(ticket, contact=author_contact):
        return IntakeResult(Outcome.REFUSED, ticket=ticket, reason=Reason.NOT_ON_THIS_TICKET)
    text = clean_text(body, max_length=MAX_BODY_LENGTH)
    if not text:
        return IntakeResult(Outcome.REFUSED, ticket=ticket, reason=Reason.EMPTY_MESSAGE)

    if is_agent:
        direction = Message.Direction.INTERNAL if internal else Message.Direction.OUTBOUND
    else:
        direction = Message.Direction.INBOUND
    message = Message.objects.create(
        ticket=ticket,
        visibility=Message.Visibility.INTERNAL
        if internal and is_agent
        else Message.Visibility.PUBLIC,
        direction=direction,
        channel=channel,
        author_user=author_user,
        author_contact=author_contact,
        author_email=(author_contact.email if author_contact else author_user.email),
        body=text,
        body_html=body_html,
        email_message_id=email_message_id,
        held_for_review=held_for_review,
    )
    if message.held_for_review:
        record_event(
            ticket, Event.Kind.MAIL_HELD, by_label=message.author_email, message=message.pk
        )
        return IntakeResult(Outcome.APPENDED, ticket=ticket, message=message)
    record_event(
        ticket,
        Event.Kind.MESSAGE_ADDED,
        by=author_user,
        by_label=str(author_user or author_contact),
        message=message.pk,
        visibility=message.visibility,
    )
    _move_status_after_message(ticket, message, by=author_user)
    if message.direction == Message.Direction.OUTBOUND:
        mail_agent_reply(message)
    return IntakeResult(Outcome.APPENDED, ticket=ticket, message=message)


@transaction.atomic
def release_held_message(message: Message, *, by: User) -> Message:
    """An agent has reviewed a held message: it now counts like any other reply."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if not message.held_for_review:
        return message
    message.held_for_review = False
    message.save(update_fields=["held_for_review", "updated_at"])
    record_event(message.ticket, Event.Kind.MESSAGE_ADDED, by=by, message=message.pk, released=True)
    _move_status_after_message(message.ticket, message, by=by)
    if message.direction == Message.Direction.OUTBOUND:
        mail_agent_reply(message)
    return message


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
            _snapshot_device(ticket, device)
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
    old_status = ticket.status
    if not ticket.missing_information and ticket.status == Ticket.Status.INFO_REQUESTED:
        ticket.status = Ticket.Status.NEW
    ticket.save()
    record_event(
        ticket,
        Event.Kind.INFO_SUPPLIED,
        by_label=str(contact),
        supplied=[str(item) for item in supplied if item in missing_before],
        missing=ticket.missing_information,
    )
    if ticket.status != old_status:
        record_event(
            ticket,
            Event.Kind.STATUS_CHANGED,
            by_label=str(contact),
            old=old_status,
            new=ticket.status,
        )
    if ticket.missing_information:
        return IntakeResult(
            Outcome.INFO_REQUESTED, ticket=ticket, missing=tuple(ticket.missing_information)
        )
    return IntakeResult(Outcome.APPENDED, ticket=ticket)


def _move_status_after_message(ticket: Ticket, message: Message, *, by: User | None) -> None:
    changed = ["updated_at"]
    old_status = ticket.status
    if message.direction == Message.Direction.OUTBOUND and ticket.first_response_at is None:
        ticket.first_response_at = message.created_at  # R5: the response clock stops here
        changed.append("first_response_at")
    if message.direction == Message.Direction.INBOUND and ticket.status in (
        Ticket.Status.WAITING_ON_CUSTOMER,
        Ticket.Status.RESOLVED,
        Ticket.Status.CLOSED,
    ):
        ticket.status = Ticket.Status.IN_PROGRESS
        changed.append("status")
    ticket.save(update_fields=changed)
    if ticket.status != old_status:
        record_event(
            ticket,
            Event.Kind.STATUS_CHANGED,
            by=by,
            by_label=str(by or message.author_contact),
            old=old_status,
            new=ticket.status,
        )


def may_act_on(ticket: Ticket, *, contact: Contact | None) -> bool:
    """A customer may act on a ticket only as a technical contact of the ticket's customer."""
    return bool(contact and contact.may_open_tickets and contact.customer_id == ticket.customer_id)


_REASON_TEXTS = {
    Reason.UNKNOWN_SENDER: gettext_lazy(
        "We could not find you among the technical contacts of our SantaCare Maintenance "
        "customers. Requests are accepted from the technical contacts your company has named."
    ),
    Reason.NOT_TECHNICAL_CONTACT: gettext_lazy(
        "Support requests are accepted only from the technical contacts your company has named. "
        "Please ask your company's technical contact to open the request."
    ),
    Reason.UNKNOWN_SERIAL: gettext_lazy(
        "The serial number was not found in your company's install base. Please check it "
        "(it is printed on the device's label) or contact your Service Delivery Manager."
    ),
    Reason.NO_VALID_CONTRACT: gettext_lazy(
        "The device has no valid SantaCare Maintenance contract, so the request cannot be "
        "handled under a contract. Please contact your Service Delivery Manager."
    ),
    Reason.NOT_ON_THIS_TICKET: gettext_lazy(
        "You cannot add to this request: only the technical contacts of the company that "
        "opened it can."
    ),
    Reason.EMPTY_MESSAGE: gettext_lazy("The message was empty."),
}


def explain(result: IntakeResult) -> str:
    """The customer-facing text of an outcome, in the active language (R8, R9, R10, R11)."""
    if result.outcome == Outcome.REDIRECTED:
        return _(
            "This device is covered by SantaCare Managed Services. Requests about it are handled "
            "by our Network Operations Center (NOC): call %(phone)s or email %(email)s, as in the "
            "instructions you received for Managed Services."
        ) % {"phone": settings.NOC_PHONE, "email": settings.NOC_EMAIL}
    if result.outcome == Outcome.MUST_CALL:
        why = (
            _("Critical requests must always be opened by phone.")
            if result.reason == Reason.CRITICAL
            else _(
                "Under SantaCare Advanced, requests outside office hours (Mon–Fri 8–16 Finnish "
                "time) must be opened by phone."
            )
        )
        return _(
            "%(why)s Please call %(phone)s now. What you sent is saved as %(number)s, and our "
            "support staff can see it."
        ) % {"why": why, "phone": settings.SUPPORT_PHONE, "number": result.tracking_number}
    if result.outcome == Outcome.INFO_REQUESTED:
        items = "; ".join(str(RequiredItem(item).label) for item in result.missing)
        return _(
            "Your request was saved as %(number)s, but it is missing: %(items)s. Please reply with "
            "them, keeping %(number)s in the subject."
        ) % {"number": result.tracking_number, "items": items}
    if result.outcome == Outcome.CREATED:
        return _(
            "Your request was opened as %(number)s. Keep %(number)s in the subject of every "
            "message about it."
        ) % {"number": result.tracking_number}
    if result.outcome == Outcome.APPENDED:
        return _("Your message was added to %(number)s.") % {"number": result.tracking_number}
    return str(_REASON_TEXTS[result.reason])
