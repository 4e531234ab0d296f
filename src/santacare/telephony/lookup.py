"""Who is calling: a phone number → contacts, their companies, devices and open tickets (R7).

One indexed equality on `Contact.phone_e164` finds the people; their companies' devices and open
tickets follow in one query each, whatever the number of matches.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from santacare.customers.models import Contact, Customer
from santacare.installbase.models import Device
from santacare.tickets.models import Ticket

from .models import Call

CONTACT_LIMIT = 10
DEVICE_LIMIT = 20
TICKET_LIMIT = 10
# A call still "ringing" or "answered" after this long lost its hang-up event on the way; the
# banner forgets it rather than show a stale caller all day.
RING_WINDOW = timedelta(minutes=10)
TALK_WINDOW = timedelta(hours=4)


@dataclass(frozen=True)
class CallerCard:
    number: str
    contacts: list[Contact] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    open_tickets: list[Ticket] = field(default_factory=list)

    @property
    def companies(self) -> list[Customer]:
        seen: dict[int, Customer] = {}
        for contact in self.contacts:
            seen.setdefault(contact.customer_id, contact.customer)
        return list(seen.values())


def caller_card(e164: str) -> CallerCard:
    if not e164:
        return CallerCard(number="")
    contacts = list(
        Contact.objects.select_related("customer")
        .filter(phone_e164=e164, is_active=True)
        .order_by("-is_technical", "name")[:CONTACT_LIMIT]
    )
    companies = {contact.customer_id for contact in contacts}
    if not companies:
        return CallerCard(number=e164)
    devices = list(
        Device.objects.select_related("vendor", "customer", "site", "contract")
        .filter(customer_id__in=companies)
        .order_by("customer__name", "serial_number")[:DEVICE_LIMIT]
    )
    tickets = list(
        Ticket.objects.select_related("customer")
        .filter(
            customer_id__in=companies,
            status__in=Ticket.OPEN_STATUSES,
            merged_into__isnull=True,
        )
        .order_by("-received_at")[:TICKET_LIMIT]
    )
    return CallerCard(number=e164, contacts=contacts, devices=devices, open_tickets=tickets)


def current_call(extension: str, *, now: datetime) -> Call | None:
    """The call ringing at, or answered on, this extension: the desk banner's one query."""
    if not extension:
        return None
    return current_calls(extension, now=now).first()


def current_calls(extension: str, *, now: datetime) -> QuerySet[Call]:
    return Call.objects.filter(
        Q(state=Call.State.ANSWERED)
        | Q(state=Call.State.RINGING, started_at__gte=now - RING_WINDOW),
        extension=extension,
        state__in=(Call.State.RINGING, Call.State.ANSWERED),
        started_at__gte=now - TALK_WINDOW,
    ).order_by("-started_at")
