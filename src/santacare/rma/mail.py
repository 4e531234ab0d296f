"""Mail to the customer's contacts about an RMA, rendered in each contact's language and queued
in the outbox in the caller's transaction."""

from django.template.loader import render_to_string
from django.utils import translation

from santacare.customers.models import Contact
from santacare.outbox.services import queue_mail
from santacare.tickets.models import Ticket

from .models import Rma


def return_instruction_recipients(ticket: Ticket) -> list[Contact]:
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


def mail_contact(rma: Rma, contact: Contact, *, template: str, kind: str):
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
