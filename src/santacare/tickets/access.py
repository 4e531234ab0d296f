"""Who may act on a ticket: the one check every channel asks (R11)."""

from santacare.customers.models import Contact

from .models import Ticket


def may_act_on(ticket: Ticket, *, contact: Contact | None) -> bool:
    """A customer may act on a ticket only as a technical contact of the ticket's customer."""
    return bool(contact and contact.may_open_tickets and contact.customer_id == ticket.customer_id)
