"""What a customer's contact may see of tickets: every portal read goes through here.

Tenant isolation lives in one place, a queryset scoped to the customer: each
function starts from the contact's own company, so a view cannot forget the filter. Another
company's ticket or attachment is simply not found (404), never "forbidden", so its existence
is not revealed either.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from santacare.customers.models import Contact

from .models import Attachment, Message, Ticket
from .search import search_tickets
from .tracking import ticket_by_tracking_number


class StatusFilter:
    OPEN = "open"
    DONE = "done"
    ALL = "all"


def tickets_for_contact(
    contact: Contact, *, mine: bool = False, status: str = StatusFilter.ALL, search: str = ""
) -> QuerySet[Ticket]:
    """The contact's company's tickets (or only the contact's own), newest first."""
    tickets = Ticket.objects.filter(customer_id=contact.customer_id, merged_into__isnull=True)
    if mine:
        tickets = tickets.filter(contact=contact)
    if status == StatusFilter.OPEN:
        tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    elif status == StatusFilter.DONE:
        tickets = tickets.exclude(status__in=Ticket.OPEN_STATUSES)
    tickets = search_tickets(tickets, search, internal=False)
    return tickets.select_related("contact").order_by("-received_at", "-id")


def ticket_for_contact_or_404(contact: Contact, tracking_number: str) -> Ticket:
    company_tickets = Ticket.objects.select_related(
        "contact", "device", "device__site", "service_level"
    ).filter(customer_id=contact.customer_id)
    ticket = ticket_by_tracking_number(tracking_number, scope=company_tickets)
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def public_messages(ticket: Ticket) -> QuerySet[Message]:
    """The conversation as the customer sees it: no internal notes, nothing held for review."""
    return (
        ticket.messages.filter(visibility=Message.Visibility.PUBLIC, held_for_review=False)
        .select_related("author_user", "author_contact")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.filter(is_inline=False))
        )
        .order_by("created_at", "id")
    )


def desk_conversation(ticket: Ticket) -> QuerySet[Message]:
    """The whole conversation as agents see it: internal notes and held mail included, and the
    messages of the tickets merged into this one."""
    return (
        # The ids first: an OR across the join would make PostgreSQL read every message.
        Message.objects.filter(
            ticket__in=Ticket.objects.filter(Q(pk=ticket.pk) | Q(merged_into=ticket)).values("pk")
        )
        .select_related("ticket", "author_user", "author_contact")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def attachment_for_contact_or_404(contact: Contact, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("message__ticket")
        .filter(
            pk=attachment_id,
            message__ticket__customer_id=contact.customer_id,
            message__visibility=Message.Visibility.PUBLIC,
            message__held_for_review=False,
        )
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment
