"""What the desk, the portal, the SLA engine and the report ask of RMAs."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet

from santacare.calendars.models import Coverage
from santacare.core.paging import Page, keyset_page
from santacare.core.time import HELSINKI, helsinki
from santacare.customers.models import Contact
from santacare.installbase.models import Device, normalize_serial_number
from santacare.sla.clocks import ClockContext, ClockState, replacement_clock
from santacare.tickets.access import may_act_on
from santacare.tickets.models import Ticket

from .due_dates import returned_late
from .models import DeviceSwap, Rma

PAGE_SIZE = 50
# The report walks at most this many RMAs in Python (SLA due times need the calendar).
MAX_REPORT_ROWS = 20_000


def replacement_delivery(ticket: Ticket) -> tuple[datetime, datetime | None] | None:
    """The replacement-delivery clock's instants for the SLA engine: (ordered, delivered) of the
    ticket's first RMA that was not cancelled, or None when no replacement was ordered."""
    first = (
        Rma.objects.filter(ticket=ticket)
        .exclude(status=Rma.Status.CANCELLED)
        .order_by("opened_at", "id")
        .only("opened_at", "delivered_at", "status")[:1]
    )
    return replacement_of(first)


def replacement_of(rmas: Iterable[Rma]) -> tuple[datetime, datetime | None] | None:
    """`replacement_delivery` from a ticket's RMAs already read oldest first (`rmas_for_ticket`),
    for a page that shows them anyway: one query fewer."""
    rma = next((rma for rma in rmas if rma.status != Rma.Status.CANCELLED), None)
    return (rma.opened_at, rma.delivered_at) if rma else None


def rmas_for_ticket(ticket: Ticket) -> list[Rma]:
    """A ticket's RMAs for its page (portal or desk), oldest first, cancelled ones included."""
    return list(
        Rma.objects.filter(ticket=ticket).select_related("vendor").order_by("opened_at", "id")
    )


def is_overdue(rma: Rma, *, today: date) -> bool:
    return rma.awaits_return and rma.return_due is not None and rma.return_due < today


def days_overdue(rma: Rma, *, today: date) -> int:
    """Whole days past the return due date; 0 for a return that is not overdue."""
    if rma.return_due is None or not is_overdue(rma, today=today):
        return 0
    return (today - rma.return_due).days


def overdue_q(today: date) -> Q:
    return Q(status__in=Rma.AWAITING_RETURN, return_due__lt=today)


def _desk_rmas() -> QuerySet[Rma]:
    return Rma.objects.select_related("ticket__customer", "vendor")


def rma_for_contact(contact: Contact, pk: int) -> Rma | None:
    """An RMA of a ticket the contact may act on (their own company's); None for any other, so
    a stranger learns nothing about whether it exists."""
    rma = Rma.objects.select_related("ticket").filter(pk=pk).first()
    return rma if rma is not None and may_act_on(rma.ticket, contact=contact) else None


def desk_rmas(
    *,
    status: str = "",
    vendor_id: int | None = None,
    customer_query: str = "",
    serial: str = "",
    overdue_on: date | None = None,
    after: str = "",
    limit: int = PAGE_SIZE,
) -> Page[Rma]:
    """All RMAs for agents, newest first, filtered, a page at a time."""
    rmas = _desk_rmas()
    if status:
        rmas = rmas.filter(status=status)
    if vendor_id:
        rmas = rmas.filter(vendor_id=vendor_id)
    if customer_query:
        rmas = rmas.filter(ticket__customer__name__icontains=customer_query)
    if serial:
        value = normalize_serial_number(serial)
        rmas = rmas.filter(
            Q(failed_serial__iexact=value)
            | Q(replacement_serial__iexact=value)
            | Q(ticket__tracking_number__iexact=value)
        )
    if overdue_on is not None:
        rmas = rmas.filter(overdue_q(overdue_on))
    return keyset_page(rmas, order=("-opened_at", "-id"), size=limit, cursor=after, salt="rma.list")


def overdue_returns(*, today: date, after: str = "", limit: int = PAGE_SIZE) -> Page[Rma]:
    """Failed units still with the customer after the return due date, longest overdue first."""
    return keyset_page(
        _desk_rmas().filter(overdue_q(today)),
        order=("return_due", "id"),
        size=limit,
        cursor=after,
        salt="rma.overdue",
    )


@dataclass
class VendorMonth:
    """One row of the RMA report: a vendor's RMAs opened in one month (Helsinki time)."""

    vendor: str
    month: date
    opened: int = 0
    cancelled: int = 0
    delivered: int = 0
    delivered_on_promise: int = 0
    promised: int = 0
    sla_measured: int = 0
    sla_met: int = 0
    overdue_now: int = 0
    returned_late: int = 0
    delivery_hours: list[float] = field(default_factory=list)

    @property
    def average_delivery_hours(self) -> float | None:
        if not self.delivery_hours:
            return None
        return round(sum(self.delivery_hours) / len(self.delivery_hours), 1)

    @property
    def overdue_total(self) -> int:
        return self.overdue_now + self.returned_late


def vendor_month_report(*, start: date, end: date, today: date) -> list[VendorMonth]:
    """RMAs per vendor and month opened in [start, end): delivery times against the promise and
    against the replacement-delivery SLA target, and overdue returns (still out, or sent late).
    """
    start_at = datetime.combine(start, datetime.min.time(), tzinfo=HELSINKI)
    end_at = datetime.combine(end, datetime.min.time(), tzinfo=HELSINKI)
    rmas = (
        Rma.objects.filter(opened_at__gte=start_at, opened_at__lt=end_at)
        .select_related("vendor", "ticket")
        .only(
            "status",
            "opened_at",
            "promised_at",
            "delivered_at",
            "return_due",
            "returned_at",
            "vendor__name",
            "ticket__service_level_id",
            "ticket__priority",
        )
        .order_by("opened_at", "id")[:MAX_REPORT_ROWS]
    )
    context = ClockContext.load()
    business_days = context.calendar(Coverage.OFFICE_HOURS)
    rows: dict[tuple[str, date], VendorMonth] = defaultdict(lambda: VendorMonth("", date.min))
    for rma in rmas:
        month = helsinki(rma.opened_at).date().replace(day=1)
        key = (rma.vendor.name, month)
        row = rows[key]
        row.vendor, row.month = key
        row.opened += 1
        if rma.status == Rma.Status.CANCELLED:
            row.cancelled += 1
            continue
        if rma.promised_at is not None:
            row.promised += 1
        if rma.delivered_at is not None:
            row.delivered += 1
            row.delivery_hours.append((rma.delivered_at - rma.opened_at) / timedelta(hours=1))
            if rma.promised_at is not None and rma.delivered_at <= rma.promised_at:
                row.delivered_on_promise += 1
            target = context.target(rma.ticket.service_level_id, rma.ticket.priority)
            if target is not None:
                level = context.levels[target.service_level_id]
                clock = replacement_clock(
                    target=target,
                    calendar=context.calendar(level.coverage),
                    business_days=business_days,
                    ordered_at=rma.opened_at,
                    delivered_at=rma.delivered_at,
                    now=rma.delivered_at,
                )
                row.sla_measured += 1
                row.sla_met += clock.state == ClockState.MET
        if is_overdue(rma, today=today):
            row.overdue_now += 1
        elif returned_late(rma.returned_at, rma.return_due):
            row.returned_late += 1
    return sorted(rows.values(), key=lambda row: (row.month, row.vendor))


def device_by_any_serial(serial: str) -> Device | None:
    """The device a serial belongs to now, or belonged to before a swap: agents search by the
    serial on the label of the unit in their hand, which may be the failed one."""
    value = normalize_serial_number(serial)
    device = Device.objects.filter(serial_number=value).first()
    if device is not None:
        return device
    swap = DeviceSwap.objects.filter(old_serial__iexact=value).select_related("device").first()
    return swap.device if swap else None


def device_history(device: Device) -> list[DeviceSwap]:
    """The device's serials, oldest swap first: each failed serial and its replacement."""
    return list(
        DeviceSwap.objects.filter(device=device)
        .select_related("rma__ticket", "swapped_by")
        .order_by("swapped_at", "id")
    )
