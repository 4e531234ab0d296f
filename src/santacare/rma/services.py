"""The life cycle of an RMA (R13): requested → shipped → delivered → return pending → returned →
received by vendor → closed, or cancelled before delivery.

Every verb takes the row lock, checks everything before it writes anything (a refused change
leaves no trace), and records an `rma_changed` event on the ticket in the same transaction.
Mail to the customer goes through the outbox in that transaction too.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from santacare.accounts.models import User
from santacare.calendars.services import is_business_day
from santacare.core.text import clean_line, clean_text
from santacare.core.time import helsinki, now
from santacare.customers.models import Contact
from santacare.installbase.models import (
    SERIAL_NUMBER_RE,
    Device,
    Vendor,
    normalize_serial_number,
)
from santacare.outbox.services import queue_mail
from santacare.tickets.access import may_act_on
from santacare.tickets.events import record_event
from santacare.tickets.models import Event, Ticket

from .models import PART_NUMBER_RE, DeviceSwap, Rma

# A clock skew between the agent's browser and the server must not make "now" the future.
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_TEXT = 2_000


class RmaError(Exception):
    """A change refused for a reason the agent or the customer can fix; nothing was stored."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _require_agent(by: User | None) -> User:
    if by is None or not by.is_agent:
        raise PermissionDenied("Only the desk's agents may change an RMA.")
    return by


def _locked(rma: Rma) -> Rma:
    return (
        Rma.objects.select_for_update(of=("self",))
        .select_related("ticket", "vendor")
        .get(pk=rma.pk)
    )


def _refresh(target: Rma, source: Rma) -> None:
    for field in Rma._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _record(rma: Rma, *, old: str, by: User | None, by_label: str = "", **data: Any) -> None:
    clean = {
        key: value.isoformat() if isinstance(value, (date, datetime)) else value
        for key, value in data.items()
    }
    record_event(
        rma.ticket,
        Event.Kind.RMA_CHANGED,
        by=by,
        by_label=by_label,
        rma=rma.pk,
        old=old,
        new=rma.status,
        **clean,
    )


def _require_status(rma: Rma, *allowed: str) -> None:
    if rma.status not in allowed:
        raise RmaError(
            _("This cannot be done while the RMA is “%(status)s”.")
            % {"status": rma.get_status_display()},
            code="wrong_state",
        )


def _moment(value: datetime | None, *, field: str, not_before: datetime | None = None) -> datetime:
    """The instant a fact happened: given by the agent, or now; never in the future and never
    before the step it follows (dates in the wrong order are refused, not stored)."""
    current = now()
    moment = value or current
    if moment > current + FUTURE_TOLERANCE:
        raise RmaError(_("That time is in the future."), code="future", field=field)
    if not_before is not None and moment < not_before:
        raise RmaError(
            _("That time is before the previous step of this RMA (%(moment)s).")
            % {"moment": helsinki(not_before).strftime("%d.%m.%Y %H:%M")},
            code="dates_order",
            field=field,
        )
    return moment


def normalize_part_number(value: str) -> str:
    return "".join(value.split()).upper()


def _check_part_number(value: str) -> str:
    part_number = normalize_part_number(value)
    if not PART_NUMBER_RE.match(part_number):
        raise RmaError(
            _(
                "Unknown part number: a part number has 2–40 letters, digits and the marks "
                "- . / = + #, like C9300-48P-E or FG-60F."
            ),
            code="part_number",
            field="part_number",
        )
    return part_number


def _check_replacement_serial(value: str, *, rma_id: int | None = None) -> str:
    serial = normalize_serial_number(clean_line(value, max_length=200))
    if not SERIAL_NUMBER_RE.match(serial):
        raise RmaError(
            _("A serial number has 3–64 letters, digits, hyphens, slashes or dots."),
            code="serial_format",
            field="replacement_serial",
        )
    if Device.objects.filter(serial_number__iexact=serial).exists():
        # The unit would be in the install base twice: a typo, or a unit that is not spare.
        raise RmaError(
            _("The serial %(serial)s is already in the install base.") % {"serial": serial},
            code="serial_in_install_base",
            field="replacement_serial",
        )
    others = Rma.objects.filter(replacement_serial__iexact=serial).exclude(
        status=Rma.Status.CANCELLED
    )
    if rma_id is not None:
        others = others.exclude(pk=rma_id)
    if others.exists():
        raise RmaError(
            _("The serial %(serial)s is already the replacement of another RMA.")
            % {"serial": serial},
            code="serial_on_other_rma",
            field="replacement_serial",
        )
    return serial


def return_due_date(delivered_at: datetime, *, window_days: int) -> date:
    """The vendor's window counts calendar days from delivery; a due date that falls on a
    weekend or a Finnish holiday moves to the next business day, when a courier can collect."""
    due = helsinki(delivered_at).date() + timedelta(days=window_days)
    for _day in range(14):
        if is_business_day(due):
            break
        due += timedelta(days=1)
    return due


@transaction.atomic
def open_rma(
    ticket: Ticket,
    *,
    by: User,
    part_number: str,
    part_description: str = "",
    source: str = Rma.Source.VENDOR_ADVANCE,
    vendor: Vendor | None = None,
    failed_serial: str = "",
    replacement_serial: str = "",
    promised_at: datetime | None = None,
    vendor_rma_number: str = "",
) -> Rma:
    """Open an RMA from a hardware-fault ticket (R9, R13). The delivery address and contact are
    the ticket's; the vendor's return instructions and window are copied onto the RMA."""
    _require_agent(by)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("device__vendor")
        .get(pk=ticket.pk)
    )
    if ticket.status == Ticket.Status.CLOSED or ticket.merged_into_id is not None:
        raise RmaError(
            _("The ticket is closed or merged into another; open the RMA on the live ticket."),
            code="ticket_closed",
        )
    if not ticket.hardware_fault:
        raise RmaError(
            _("The ticket has no suspected hardware fault, so no replacement can be ordered."),
            code="no_hardware_fault",
        )
    if not ticket.delivery_address.strip() or not ticket.delivery_contact.strip():
        raise RmaError(
            _(
                "The ticket has no delivery address or delivery contact for the replacement "
                "part (R9): ask the customer for them first."
            ),
            code="no_delivery_details",
        )
    device = ticket.device
    vendor = vendor or (device.vendor if device else None)
    if vendor is None:
        raise RmaError(_("Choose the vendor."), code="no_vendor", field="vendor")
    part_number = _check_part_number(part_number)
    failed = normalize_serial_number(
        clean_line(failed_serial, max_length=200)
        or (device.serial_number if device else ticket.serial_number)
    )
    if not SERIAL_NUMBER_RE.match(failed):
        raise RmaError(
            _("Give the serial number of the failed unit."),
            code="failed_serial",
            field="failed_serial",
        )
    if source not in Rma.Source.values:
        raise RmaError(_("Choose where the replacement comes from."), code="source", field="source")
    replacement = _check_replacement_serial(replacement_serial) if replacement_serial else ""
    opened_at = now()
    if promised_at is not None and promised_at < opened_at:
        raise RmaError(
            _("The promised delivery time is before the RMA is opened."),
            code="dates_order",
            field="promised_at",
        )
    rma = Rma(
        ticket=ticket,
        device=device,
        vendor=vendor,
        part_number=part_number,
        part_description=clean_line(part_description, max_length=200) or ticket.device_type,
        source=source,
        failed_serial=failed,
        replacement_serial=replacement,
        delivery_address=ticket.delivery_address,
        delivery_contact=ticket.delivery_contact,
        opened_at=opened_at,
        promised_at=promised_at,
        vendor_rma_number=clean_line(vendor_rma_number, max_length=60),
        return_instructions=vendor.return_instructions,
        return_window_days=vendor.return_window_days,
        opened_by=by,
    )
    try:
        with transaction.atomic():
            rma.save()
    except IntegrityError as error:  # a parallel RMA took the same replacement unit
        raise RmaError(
            _("The replacement serial was just taken by another RMA."),
            code="serial_on_other_rma",
            field="replacement_serial",
        ) from error
    _record(
        rma,
        old="",
        by=by,
        part_number=part_number,
        failed_serial=failed,
        vendor=vendor.name,
        promised_at=promised_at,
    )
    return rma


@transaction.atomic
def mark_shipped(
    rma: Rma,
    *,
    by: User,
    courier: str,
    tracking_code: str,
    replacement_serial: str = "",
    shipped_at: datetime | None = None,
    promised_at: datetime | None = None,
) -> Rma:
    _require_agent(by)
    locked = _locked(rma)
    _require_status(locked, Rma.Status.REQUESTED)
    courier = clean_line(courier, max_length=100)
    tracking_code = clean_line(tracking_code, max_length=100)
    if not courier or not tracking_code:
        raise RmaError(
            _("Give the courier and the tracking code of the shipment."),
            code="shipment",
            field="tracking_code" if courier else "courier",
        )
    if replacement_serial:
        locked.replacement_serial = _check_replacement_serial(replacement_serial, rma_id=locked.pk)
    if not locked.replacement_serial:
        raise RmaError(
            _("Give the serial number of the unit sent."),
            code="no_replacement_serial",
            field="replacement_serial",
        )
    locked.shipped_at = _moment(shipped_at, field="shipped_at", not_before=locked.opened_at)
    if promised_at is not None:
        if promised_at < locked.opened_at:
            raise RmaError(
                _("The promised delivery time is before the RMA is opened."),
                code="dates_order",
                field="promised_at",
            )
        locked.promised_at = promised_at
    old = locked.status
    locked.courier, locked.tracking_code = courier, tracking_code
    locked.status = Rma.Status.SHIPPED
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as error:
        raise RmaError(
            _("The replacement serial was just taken by another RMA."),
            code="serial_on_other_rma",
            field="replacement_serial",
        ) from error
    _record(
        locked,
        old=old,
        by=by,
        courier=courier,
        tracking_code=tracking_code,
        replacement_serial=locked.replacement_serial,
        shipped_at=locked.shipped_at,
    )
    _refresh(rma, locked)
    return locked


@transaction.atomic
def mark_delivered(rma: Rma, *, by: User, delivered_at: datetime | None = None) -> Rma:
    """The replacement is at the customer: the return window starts (return_due), the install
    base takes the new serial, and — once the vendor's RMA number is known — the customer gets
    the return instructions by mail."""
    _require_agent(by)
    locked = _locked(rma)
    _require_status(locked, Rma.Status.SHIPPED)
    moment = _moment(delivered_at, field="delivered_at", not_before=locked.shipped_at)
    old = locked.status
    locked.delivered_at = moment
    locked.return_due = return_due_date(moment, window_days=locked.return_window_days)
    locked.status = Rma.Status.DELIVERED
    locked.save()
    swap = _swap_device(locked, by=by, at=moment)
    _record(
        locked,
        old=old,
        by=by,
        delivered_at=moment,
        return_due=locked.return_due,
        swapped=bool(swap),
    )
    if locked.vendor_rma_number:
        _start_return(locked, by=by)
    _refresh(rma, locked)
    return locked


def _swap_device(rma: Rma, *, by: User, at: datetime) -> DeviceSwap | None:
    """The new serial takes the failed unit's place under the same contract; the failed serial
    stays in the device's history. Only when the whole unit was replaced: a failed module has a
    serial of its own and the chassis keeps its serial."""
    if rma.device_id is None:
        return None
    device = (
        Device.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=rma.device_id)
    )
    if device.serial_number != rma.failed_serial:
        return None
    new_serial = rma.replacement_serial
    clash = Device.objects.filter(serial_number__iexact=new_serial).exclude(pk=device.pk)
    if clash.exists():
        raise RmaError(
            _("The serial %(serial)s is already in the install base.") % {"serial": new_serial},
            code="serial_in_install_base",
            field="replacement_serial",
        )
    old_serial = device.serial_number
    device.serial_number = new_serial
    device.save(update_fields=["serial_number", "updated_at"])
    return DeviceSwap.objects.create(
        device=device,
        rma=rma,
        old_serial=old_serial,
        new_serial=new_serial,
        contract_number=device.contract.number if device.contract else "",
        swapped_at=at,
        swapped_by=by,
    )


def _start_return(rma: Rma, *, by: User | None) -> None:
    """DELIVERED → RETURN_PENDING: the customer now has what the return needs (the vendor's RMA
    number and instructions), and is told so by mail."""
    old = rma.status
    rma.status = Rma.Status.RETURN_PENDING
    rma.save(update_fields=["status", "updated_at"])
    recipients = _return_instruction_recipients(rma.ticket)
    for contact in recipients:
        _mail_contact(rma, contact, template="return_instructions", kind="rma_return_instructions")
    _record(
        rma,
        old=old,
        by=by,
        return_due=rma.return_due,
        vendor_rma_number=rma.vendor_rma_number,
        mailed_to=[contact.email for contact in recipients],
    )


def _return_instruction_recipients(ticket: Ticket) -> list[Contact]:
    contact = ticket.contact
    if contact is not None and contact.is_active:
        return [contact]
    return list(technical_contacts(ticket))


def technical_contacts(ticket: Ticket):
    return Contact.objects.filter(
        customer_id=ticket.customer_id, is_technical=True, is_active=True
    ).order_by("email")


def render_mail(template: str, *, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"rma/emails/{template}-subject.txt", context)
        body = render_to_string(f"rma/emails/{template}-body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def _mail_contact(rma: Rma, contact: Contact, *, template: str, kind: str):
    subject, body = render_mail(
        template, language=contact.language, context={"rma": rma, "ticket": rma.ticket}
    )
    return queue_mail(
        to=[contact.email],
        subject=subject,
        body=body,
        ticket=rma.ticket,
        kind=kind,
        auto_submitted=True,
    )


@transaction.atomic
def set_vendor_rma_number(rma: Rma, *, by: User, vendor_rma_number: str) -> Rma:
    """Record the vendor's RMA number; a delivered replacement's return can then start."""
    _require_agent(by)
    locked = _locked(rma)
    _require_status(locked, Rma.Status.REQUESTED, Rma.Status.SHIPPED, Rma.Status.DELIVERED)
    number = clean_line(vendor_rma_number, max_length=60)
    if not number:
        raise RmaError(
            _("Give the vendor's RMA number."), code="vendor_rma_number", field="vendor_rma_number"
        )
    previous = locked.vendor_rma_number
    if previous == number:
        return locked
    locked.vendor_rma_number = number
    locked.save(update_fields=["vendor_rma_number", "updated_at"])
    _record(locked, old=locked.status, by=by, vendor_rma_number=number, previous=previous)
    if locked.status == Rma.Status.DELIVERED:
        _start_return(locked, by=by)
    _refresh(rma, locked)
    return locked


@transaction.atomic
def confirm_return(
    rma: Rma,
    *,
    courier_code: str,
    by_contact: Contact | None = None,
    by: User | None = None,
    returned_at: datetime | None = None,
) -> Rma:
    """The failed unit is on its way to the vendor: the customer's "I have sent it back" (a
    technical contact of the ticket's customer), or an agent recording it on their behalf."""
    if by is not None:
        _require_agent(by)
    locked = _locked(rma)
    if by is None and not may_act_on(locked.ticket, contact=by_contact):
        raise PermissionDenied("Only the customer's technical contacts confirm a return.")
    if locked.returned_at is not None:
        raise RmaError(
            _("The return was already confirmed on %(day)s; nothing was changed.")
            % {"day": helsinki(locked.returned_at).strftime("%d.%m.%Y")},
            code="already_returned",
        )
    _require_status(locked, *Rma.AWAITING_RETURN)
    code = clean_line(courier_code, max_length=100)
    if not code:
        raise RmaError(
            _("Give the courier's tracking code of the return shipment."),
            code="courier_code",
            field="courier_code",
        )
    old = locked.status
    locked.returned_at = _moment(returned_at, field="returned_at", not_before=locked.delivered_at)
    locked.return_courier_code = code
    locked.returned_by = str(by or by_contact)
    locked.status = Rma.Status.RETURNED
    locked.save()
    _record(
        locked,
        old=old,
        by=by,
        by_label=str(by or by_contact),
        courier_code=code,
        returned_at=locked.returned_at,
        late=helsinki(locked.returned_at).date() > locked.return_due,
    )
    _refresh(rma, locked)
    return locked


@transaction.atomic
def mark_received_by_vendor(rma: Rma, *, by: User, received_at: datetime | None = None) -> Rma:
    """The vendor has the failed unit; its word counts even if the customer never confirmed."""
    _require_agent(by)
    locked = _locked(rma)
    _require_status(locked, Rma.Status.RETURNED, *Rma.AWAITING_RETURN)
    old = locked.status
    locked.received_at = _moment(
        received_at, field="received_at", not_before=locked.returned_at or locked.delivered_at
    )
    locked.status = Rma.Status.RECEIVED
    locked.save()
    _record(locked, old=old, by=by, received_at=locked.received_at)
    _refresh(rma, locked)
    return locked


@transaction.atomic
def close_rma(rma: Rma, *, by: User) -> Rma:
    _require_agent(by)
    locked = _locked(rma)
    if locked.status != Rma.Status.RECEIVED:
        raise RmaError(
            _("An RMA is closed only after the vendor has received the failed unit."),
            code="wrong_state",
        )
    old = locked.status
    locked.status = Rma.Status.CLOSED
    locked.closed_at = now()
    locked.save()
    _record(locked, old=old, by=by)
    _refresh(rma, locked)
    return locked


@transaction.atomic
def cancel_rma(rma: Rma, *, by: User, reason: str) -> Rma:
    """Cancel before delivery (a wrong diagnosis, a duplicate). After delivery the install base
    has the new unit and the vendor expects the old one: that RMA runs to its end."""
    _require_agent(by)
    locked = _locked(rma)
    _require_status(locked, Rma.Status.REQUESTED, Rma.Status.SHIPPED)
    text = clean_text(reason, max_length=MAX_TEXT)
    if not text:
        raise RmaError(_("Say why the RMA is cancelled."), code="reason", field="reason")
    old = locked.status
    locked.status = Rma.Status.CANCELLED
    locked.cancelled_at = now()
    locked.cancel_reason = text
    locked.save()
    _record(locked, old=old, by=by, reason=text)
    _refresh(rma, locked)
    return locked
