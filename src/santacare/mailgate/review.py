"""The agents' actions on held and quarantined mail (R2, R4, R11)."""

from django.db import transaction
from django.utils.translation import gettext as _

from santacare.accounts.models import User
from santacare.core.time import now
from santacare.customers.models import Contact
from santacare.customers.queries import contact_by_email
from santacare.tickets.conversation import add_message, release_held_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from santacare.tickets.results import IntakeResult

from .details import find_device
from .hardware_fault import is_hardware_fault
from .models import InboundMail
from .parse import parse_mail
from .parsed import ParsedMail
from .quoting import strip_subject_prefixes
from .routing import MailOutcome, route, store_attachments


@transaction.atomic
def release_held_mail(mail: InboundMail, *, by: User) -> MailOutcome:
    """An agent trusts a held mail: a held reply counts, a held request is processed again as
    trusted; a mail from outside the ticket's customer becomes an internal note by the agent."""
    mail = InboundMail.objects.select_for_update().get(pk=mail.pk)
    outcome = MailOutcome.recorded(mail)
    if mail.ticket_message is not None and mail.ticket_message.held_for_review:
        release_held_message(mail.ticket_message, by=by)
    elif mail.ticket is not None and mail.ticket_message is None:
        parsed = parse_mail(mail.raw_message())
        result = add_message(
            mail.ticket,
            body=_("Mail from %(sender)s, released by %(agent)s:\n\n%(text)s")
            % {"sender": parsed.from_address, "agent": by, "text": parsed.reply_text},
            channel=Channel.EMAIL,
            author_user=by,
            internal=True,
        )
        mail.ticket_message = result.message
        outcome = MailOutcome(InboundMail.Outcome.APPENDED, mail.ticket.tracking_number)
    elif mail.ticket is None:
        outcome = route(mail, parse_mail(mail.raw_message()), trusted=True)
        mail.outcome = outcome.outcome
    mail.is_held = False
    mail.reviewed_by = by
    mail.reviewed_at = now()
    mail.save()
    return outcome


@transaction.atomic
def open_ticket_from_mail(
    mail: InboundMail, *, by: User, contact: Contact | None = None
) -> IntakeResult:
    """An agent turns a refused, held or quarantined mail into a ticket for `contact` (by
    default the sender), through the same intake rules; the raw message stays attached."""
    mail = InboundMail.objects.select_for_update().get(pk=mail.pk)
    try:
        parsed = parse_mail(mail.raw_message())
    except Exception:
        parsed = ParsedMail(text=mail.raw_message()[:100_000].decode("utf-8", errors="replace"))
    contact = contact or contact_by_email(parsed.from_address or mail.envelope_sender)
    text = parsed.text or parsed.subject
    device = find_device(f"{parsed.subject}\n{text}", contact=contact)
    result = open_ticket(
        TicketRequest(
            channel=Channel.EMAIL,
            contact=contact,
            subject=strip_subject_prefixes(parsed.subject),
            description=text,
            serial_number=device.serial_number if device else "",
            hardware_fault=is_hardware_fault(text),
            opened_by=by,
            received_at=mail.received_at,
            email_message_id=parsed.message_id,
        )
    )
    if result.ticket is not None:
        mail.ticket = result.ticket
        mail.ticket_message = result.message
        store_attachments(result.message, parsed, ticket=result.ticket)
        mail.is_held = False
        mail.reviewed_by = by
        mail.reviewed_at = now()
        mail.save()
    return result
