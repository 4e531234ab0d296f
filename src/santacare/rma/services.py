"""The life cycle of an RMA (R13): requested → shipped → delivered → return pending → returned →
received by vendor → closed, or cancelled before delivery.

Every verb takes the row lock, checks everything before it writes anything (a refused change
leaves no trace), and records an `rma_changed` event on the ticket in the same transaction.
Mail to the customer goes through the outbox in that transaction too.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import dateformat

from santacare.accounts.models import User
from santacare.core.text import clean_line, clean_text
from santacare.core.time import helsinki, now
from santacare.customers.models import Contact
from santacare.installbase.models import (
    SERIAL_NUMBER_RE,
    Vendor,
    normalize_serial_number,
)
from santacare.tickets.access import may_act_on
from santacare.tickets.events import record_event
from santacare.tickets.models import Event, Ticket

from .checks import (
    check_part_number,
    check_replacement_serial,
    checked_moment,
    require_agent,
    require_status,
)
from .due_dates import return_due_date, returned_late
from .errors import RmaError, RmaErrorCode
from .mail import mail_contact, return_instruction_recipients
from .models import Rma
from .signals import rma_status_changed
from .swaps import swap_device

MAX_TEXT = 2_000


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
    if old != rma.status:
        rma_status_changed.send(sender=Rma, rma=rma, old=old)


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
    require_agent(by)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("device__vendor")
        .get(pk=ticket.pk)
    )
    if ticket.status == Ticket.Status.CLOSED or ticket.merged_into_id is not None:
        raise RmaError(RmaErrorCode.TICKET_CLOSED)
    if not ticket.hardware_fault:
        raise RmaError(RmaErrorCode.NO_HARDWARE_FAULT)
    if not ticket.delivery_address.strip() or not ticket.delivery_contact.strip():
        raise RmaError(RmaErrorCode.NO_DELIVERY_DETAILS)
    device = ticket.device
    vendor = vendor or (device.vendor if device else None)
    if vendor is None:
        raise RmaError(RmaErrorCode.NO_VENDOR, field="vendor")
    part_number = check_part_number(part_number)
    failed = normalize_serial_number(
        clean_line(failed_serial, max_length=200)
        or (device.serial_number if device else ticket.serial_number)
    )
    if not SERIAL_NUMBER_RE.match(failed):
        raise RmaError(RmaErrorCode.FAILED_SERIAL, field="failed_serial")
    if source not in Rma.Source.values:
        raise RmaError(RmaErrorCode.SOURCE, field="source")
    replacement = check_replacement_serial(replacement_serial) if replacement_serial else ""
    opened_at = now()
    if promised_at is not None and promised_at < opened_at:
        raise RmaError(RmaErrorCode.PROMISED_BEFORE_OPENED, field="promised_at")
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
        return_instructions_fi=vendor.return_instructions_fi,
        return_instructions_en=vendor.return_instructions_en,
        return_window_days=vendor.return_window_days,
        opened_by=by,
    )
    try:
        with transaction.atomic():
            rma.save()
    except IntegrityError as error:  # a parallel RMA took the same replacement unit
        raise RmaError(
            RmaErrorCode.SERIAL_ON_OTHER_RMA, field="replacement_serial", serial=replacement
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
    require_agent(by)
    locked = _locked(rma)
    require_status(locked, Rma.Status.REQUESTED)
    courier = clean_line(courier, max_length=100)
    tracking_code = clean_line(tracking_code, max_length=100)
    if not courier or not tracking_code:
        raise RmaError(RmaErrorCode.SHIPMENT, field="tracking_code" if courier else "courier")
    if replacement_serial:
        locked.replacement_serial = check_replacement_serial(replacement_serial, rma_id=locked.pk)
    if not locked.replacement_serial:
        raise RmaError(RmaErrorCode.NO_REPLACEMENT_SERIAL, field="replacement_serial")
    locked.shipped_at = checked_moment(shipped_at, field="shipped_at", not_before=locked.opened_at)
    if promised_at is not None:
        if promised_at < locked.opened_at:
            raise RmaError(RmaErrorCode.PROMISED_BEFORE_OPENED, field="promised_at")
        locked.promised_at = promised_at
    old = locked.status
    locked.courier, locked.tracking_code = courier, tracking_code
    locked.status = Rma.Status.SHIPPED
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as error:
        raise RmaError(
            RmaErrorCode.SERIAL_ON_OTHER_RMA,
            field="replacement_serial",
            serial=locked.replacement_serial,
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
    require_agent(by)
    locked = _locked(rma)
    require_status(locked, Rma.Status.SHIPPED)
    moment = checked_moment(delivered_at, field="delivered_at", not_before=locked.shipped_at)
    old = locked.status
    locked.delivered_at = moment
    locked.return_due = return_due_date(moment, window_days=locked.return_window_days)
    locked.status = Rma.Status.DELIVERED
    locked.save()
    swap = swap_device(locked, by=by, at=moment)
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


def _start_return(rma: Rma, *, by: User | None) -> None:
    """DELIVERED → RETURN_PENDING: the customer now has what the return needs (the vendor's RMA
    number and instructions), and is told so by mail."""
    old = rma.status
    rma.status = Rma.Status.RETURN_PENDING
    rma.save(update_fields=["status", "updated_at"])
    recipients = return_instruction_recipients(rma.ticket)
    for contact in recipients:
        mail_contact(rma, contact, template="return_instructions", kind="rma_return_instructions")
    _record(
        rma,
        old=old,
        by=by,
        return_due=rma.return_due,
        vendor_rma_number=rma.vendor_rma_number,
        mailed_to=[contact.email for contact in recipients],
    )


@transaction.atomic
def set_vendor_rma_number(rma: Rma, *, by: User, vendor_rma_number: str) -> Rma:
    """Record the vendor's RMA number; a delivered replacement's return can then start."""
    require_agent(by)
    locked = _locked(rma)
    require_status(locked, Rma.Status.REQUESTED, Rma.Status.SHIPPED, Rma.Status.DELIVERED)
    number = clean_line(vendor_rma_number, max_length=60)
    if not number:
        raise RmaError(RmaErrorCode.VENDOR_RMA_NUMBER, field="vendor_rma_number")
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
        require_agent(by)
    locked = _locked(rma)
    if by is None and not may_act_on(locked.ticket, contact=by_contact):
        raise PermissionDenied("Only the customer's technical contacts confirm a return.")
    if locked.returned_at is not None:
        returned = dateformat.format(helsinki(locked.returned_at), "j.n.Y")
        raise RmaError(RmaErrorCode.ALREADY_RETURNED, day=returned)
    require_status(locked, *Rma.AWAITING_RETURN)
    code = clean_line(courier_code, max_length=100)
    if not code:
        raise RmaError(RmaErrorCode.COURIER_CODE, field="courier_code")
    old = locked.status
    locked.returned_at = checked_moment(
        returned_at, field="returned_at", not_before=locked.delivered_at
    )
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
        late=returned_late(locked.returned_at, locked.return_due),
    )
    _refresh(rma, locked)
    return locked


@transaction.atomic
def mark_received_by_vendor(rma: Rma, *, by: User, received_at: datetime | None = None) -> Rma:
    """The vendor has the failed unit; its word counts even if the customer never confirmed."""
    require_agent(by)
    locked = _locked(rma)
    require_status(locked, Rma.Status.RETURNED, *Rma.AWAITING_RETURN)
    old = locked.status
    locked.received_at = checked_moment(
        received_at, field="received_at", not_before=locked.returned_at or locked.delivered_at
    )
    locked.status = Rma.Status.RECEIVED
    locked.save()
    _record(locked, old=old, by=by, received_at=locked.received_at)
    _refresh(rma, locked)
    return locked


@transaction.atomic
def close_rma(rma: Rma, *, by: User) -> Rma:
    require_agent(by)
    locked = _locked(rma)
    if locked.status != Rma.Status.RECEIVED:
        raise RmaError(RmaErrorCode.NOT_RECEIVED)
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
    require_agent(by)
    locked = _locked(rma)
    require_status(locked, Rma.Status.REQUESTED, Rma.Status.SHIPPED)
    text = clean_text(reason, max_length=MAX_TEXT)
    if not text:
        raise RmaError(RmaErrorCode.REASON, field="reason")
    old = locked.status
    locked.status = Rma.Status.CANCELLED
    locked.cancelled_at = now()
    locked.cancel_reason = text
    locked.save()
    _record(locked, old=old, by=by, reason=text)
    _refresh(rma, locked)
    return locked
