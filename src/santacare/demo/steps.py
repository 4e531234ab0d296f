"""One story step at a time, each through the desk's own writer, at the step's moment."""

from datetime import datetime

from santacare.accounts.models import User
from santacare.customers.models import Contact
from santacare.desk.services import PhoneCall, open_phone_ticket
from santacare.installbase.models import Device
from santacare.tickets.attachments import store_attachment
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Priority, Ticket
from santacare.tickets.services import assign_ticket, change_status, merge_tickets

from .clock import at
from .people import Cast


def delivery_of(device: Device, contact: Contact) -> tuple[str, str]:
    """The replacement goes to the device's own site, for the person who reported it."""
    site = device.site
    lines = [device.customer.name]
    if site is not None:
        lines += [site.name, site.street_address, f"{site.postal_code} {site.city}"]
    address = "\n".join(lines)
    return address, f"{contact.name}, {contact.phone}"


class Desk:
    """The agents and customers of the demo, acting at given moments."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast

    def open(
        self,
        contact: Contact,
        serial: str,
        subject: str,
        description: str,
        *,
        channel: Channel,
        when: datetime,
        priority: Priority = Priority.P3,
        hardware_fault: bool = False,
    ) -> Ticket:
        device = Device.objects.select_related("site", "customer", "vendor").get(
            serial_number=serial
        )
        address, person = delivery_of(device, contact) if hardware_fault else ("", "")
        with at(when):
            if channel == Channel.PHONE:
                call = PhoneCall(
                    contact=contact,
                    device=device,
                    subject=subject,
                    description=description,
                    priority=priority,
                    hardware_fault=hardware_fault,
                    delivery_address=address,
                    delivery_contact=person,
                )
                result = open_phone_ticket(call, agent=self.cast.agent)
            else:
                request = TicketRequest(
                    channel=channel,
                    contact=contact,
                    subject=subject,
                    description=description,
                    serial_number=serial,
                    priority=priority,
                    hardware_fault=hardware_fault,
                    delivery_address=address,
                    delivery_contact=person,
                )
                result = open_ticket(request)
        if result.ticket is None:
            raise RuntimeError(f"demo ticket {subject!r} was not opened: {result.reason}")
        return result.ticket

    def reply(self, ticket: Ticket, body: str, *, when: datetime, by: User | None = None) -> None:
        with at(when):
            add_message(
                _fresh(ticket), body=body, channel=Channel.DESK, author_user=by or self.cast.agent
            )

    def note(self, ticket: Ticket, body: str, *, when: datetime, by: User | None = None) -> None:
        with at(when):
            add_message(
                _fresh(ticket),
                body=body,
                channel=Channel.DESK,
                author_user=by or self.cast.agent,
                internal=True,
            )

    def customer_says(
        self,
        ticket: Ticket,
        contact: Contact,
        body: str,
        *,
        when: datetime,
        attachment: tuple[str, str, bytes] | None = None,
    ) -> None:
        with at(when):
            result = add_message(
                _fresh(ticket), body=body, channel=Channel.PORTAL, author_contact=contact
            )
            if attachment is not None and result.message is not None:
                filename, content_type, data = attachment
                store_attachment(
                    result.message, filename=filename, content_type=content_type, data=data
                )

    def move(
        self, ticket: Ticket, status: Ticket.Status, *, when: datetime, by: User | None = None
    ) -> None:
        with at(when):
            change_status(_fresh(ticket), status=status, by=by or self.cast.agent)

    def assign(self, ticket: Ticket, *, when: datetime, agent: User | None = None) -> None:
        with at(when):
            assign_ticket(_fresh(ticket), agent=agent or self.cast.agent, by=self.cast.agent)

    def merge(self, duplicate: Ticket, *, into: Ticket, when: datetime) -> None:
        with at(when):
            merge_tickets(_fresh(duplicate), into=_fresh(into), by=self.cast.agent)


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)
