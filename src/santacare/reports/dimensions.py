"""What a report is about: its dimensions, its period and whose tickets it counts."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from santacare.core.time import HELSINKI
from santacare.tickets.models import Channel, Ticket


class Dimension:
    CUSTOMER = "customer"
    CONTRACT = "contract"
    SERVICE_LEVEL = "service_level"
    PRIORITY = "priority"
    CHANNEL = "channel"
    SITE = "site"
    DEVICE = "device"

    LABELS = {
        CUSTOMER: _("Customer"),
        CONTRACT: _("Contract"),
        SERVICE_LEVEL: _("Service level"),
        PRIORITY: _("Priority"),
        CHANNEL: _("Channel"),
        SITE: _("Site"),
        DEVICE: _("Device"),
    }
    # Column names come from these tables only, never from the request: the stored results'
    # columns, and the same dimension reached from a ticket.
    COLUMNS = {
        CUSTOMER: "customer_id",
        CONTRACT: "contract_number",
        SERVICE_LEVEL: "service_level_id",
        PRIORITY: "priority",
        CHANNEL: "channel",
        SITE: "site_id",
        DEVICE: "device_id",
    }
    TICKET_COLUMNS = {**COLUMNS, SITE: "device__site_id"}


@dataclass(frozen=True)
class ReportQuery:
    group_by: str = Dimension.PRIORITY
    customer_id: int | None = None
    first_month: date | None = None
    last_month: date | None = None
    # Portal-opened tickets carry the most detailed timestamps (R5): their report stands alone.
    portal_only: bool = False


def reported_tickets(query: ReportQuery) -> QuerySet[Ticket]:
    """The tickets a report counts: the company's (or all), received in the period, and only
    the portal's when asked."""
    tickets = Ticket.objects.all()
    if query.customer_id is not None:
        tickets = tickets.filter(customer_id=query.customer_id)
    if query.portal_only:
        tickets = tickets.filter(channel=Channel.PORTAL)
    if query.first_month:
        tickets = tickets.filter(received_at__gte=month_start(query.first_month))
    if query.last_month:
        tickets = tickets.filter(received_at__lt=month_start(next_month(query.last_month)))
    return tickets


def month_start(month: date) -> datetime:
    return datetime.combine(month.replace(day=1), time(0), tzinfo=HELSINKI)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def as_date(value: object) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value  # type: ignore[return-value]
