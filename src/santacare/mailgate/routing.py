"""Mail in, routed: a reply to its ticket, a new request to the one intake service, a robot's mail
to nowhere (or, for a bounce of ours, to an internal note)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from santacare.core.time import now
from santacare.customers.models import Contact
from santacare.outbox.models import OutboundMail
from santacare.outbox.services import queue_mail
from santacare.tickets.access import may_act_on
from santacare.tickets.attachments import AttachmentTooLargeError, store_attachment
from santacare.tickets.conversation import add_message, add_system_note
from santacare.tickets.intake import TicketRequest, open_ticket, supply_information
from santacare.tickets.models import Channel, Message, Priority, Ticket
from santacare.tickets.notifications import mail_refusal, thread_ids
from santacare.tickets.outcomes import Outcome, Reason
from santacare.tickets.results import IntakeResult
from santacare.tickets.tracking import ticket_by_tracking_number

from .details import delivery_details, find_device
from .hardware_fault import is_hardware_fault
from .models import InboundMail, MailReason
from .parsed import ParsedMail
from .quoting import strip_subject_prefixes
from .replies import ReplyTickets
from .senders import OPENED_A_TICKET, Senders


@dataclass(frozen=True)
class MailOutcome:
    outcome: str
    tracking_number: str | None = None
    reason: str = ""
    mail_id: int | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "outcome": self.outcome,
            "tracking_number": self.tracking_number,
            "reason": self.reason or None,
        }

    @classmethod
    def recorded(cls, mail: InboundMail) -> "MailOutcome":
        """The outcome processing recorded on the mail."""
        return cls(
            mail.outcome,
            tracking_number=mail.ticket.tracking_number if mail.ticket else None,
            reason=mail.reason,
            mail_id=mail.pk,
        )


def route(
    mail: InboundMail,
    parsed: ParsedMail,
    *,
    trusted: bool = False,
    senders: Senders | None = None,
    tickets: ReplyTickets | None = None,
) -> MailOutcome:
    """Route one parsed mail; `senders` and `tickets`, a batch's, save looking each sender and
    each replied ticket up alone."""
    senders = senders or Senders()
    mail.from_address = parsed.from_address[:998]
    mail.subject = parsed.subject[:998]
    mail.authentication = parsed.authentication
    mail.authentication_results = parsed.authentication_results[:5000]
    if parsed.machine_reason:
        return _route_machine_mail(mail, parsed)
    locked = tickets.take(parsed.tracking_number) if tickets else None
    ticket = locked or _referenced_ticket(parsed)
    if ticket is not None:
        return _route_reply(
            mail, parsed, ticket, trusted=trusted, senders=senders, locked=locked is not None
        )
    return _route_new_request(mail, parsed, trusted=trusted, senders=senders)


def _outcome(
    mail: InboundMail, outcome: str, ticket: Ticket | None = None, reason: str = ""
) -> MailOutcome:
    mail.ticket = ticket
    return MailOutcome(
        outcome,
        tracking_number=ticket.tracking_number if ticket else None,
        reason=reason,
        mail_id=mail.pk,
    )


def _referenced_ticket(parsed: ParsedMail) -> Ticket | None:
    """R6/R12: the tracking number in the subject; else In-Reply-To/References of our mail."""
    number = parsed.tracking_number
    if number:
        ticket = ticket_by_tracking_number(number, scope=Ticket.objects.all())
        if ticket is not None:
            return ticket
    ids = parsed.thread_ids[:50]
    if not ids:
        return None
    outbound = OutboundMail.objects.filter(message_id__in=ids, ticket__isnull=False).first()
    if outbound is not None:
        return outbound.ticket
    message = Message.objects.filter(email_message_id__in=ids).select_related("ticket").first()
    return message.ticket if message else None


def _hold_for_authentication(parsed: ParsedMail, *, trusted: bool) -> str:
    """Held mail waits for an agent: DMARC failed for our contact's address (or, when the
    setting says so, nothing verified it at all)."""
    if trusted:
        return ""
    if parsed.authentication == "fail":
        return MailReason.DMARC_FAIL
    if parsed.authentication == "unverified" and settings.MAILGATE_HOLD_UNVERIFIED:
        return MailReason.UNVERIFIED
    return ""


def _route_reply(
    mail: InboundMail,
    parsed: ParsedMail,
    ticket: Ticket,
    *,
    trusted: bool,
    senders: Senders,
    locked: bool,
) -> MailOutcome:
    contact, agent = senders.sender(parsed.from_address)
    if agent is None and not may_act_on(ticket, contact=contact):
        # Not one of the ticket customer's technical contacts: nothing reaches the ticket
        # (another customer's number never attaches there); agents see it held, the sender
        # is told why without learning anything about the ticket.
        mail.is_held = True
        _answer_refusal(
            parsed, IntakeResult(Outcome.REFUSED, reason=Reason.NOT_ON_THIS_TICKET), contact=contact
        )
        return _outcome(mail, InboundMail.Outcome.REFUSED, ticket, Reason.NOT_ON_THIS_TICKET)
    hold = _hold_for_authentication(parsed, trusted=trusted)
    result = add_message(
        ticket,
        body=parsed.reply_text or parsed.subject,
        body_html=parsed.html,
        channel=Channel.EMAIL,
        author_contact=contact,
        author_user=agent,
        email_message_id=parsed.message_id,
        held_for_review=bool(hold),
        ticket_locked=locked,
    )
    if result.outcome != Outcome.APPENDED:
        return _outcome(mail, InboundMail.Outcome.REFUSED, ticket, result.reason or "")
    mail.ticket_message = result.message
    mail.is_held = bool(hold)
    store_attachments(result.message, parsed, ticket=ticket)
    if not hold and contact is not None and ticket.missing_information:
        _supply_information(ticket, parsed, contact=contact)
    return _outcome(mail, InboundMail.Outcome.APPENDED, ticket, hold)


def _supply_information(ticket: Ticket, parsed: ParsedMail, *, contact: Contact) -> None:
    text = parsed.reply_text
    device = find_device(f"{parsed.subject}\n{text}", contact=contact)
    details = delivery_details(text)
    result = supply_information(
        ticket,
        contact=contact,
        serial_number=device.serial_number if device else "",
        delivery_address=details.get("address", ""),
        delivery_contact=details.get("contact", ""),
        description=text,
    )
    if result.outcome == Outcome.INFO_REQUESTED and result.missing:
        with translation.override(ticket.language):
            explanation = IntakeResult(
                Outcome.INFO_REQUESTED, ticket=result.ticket, missing=result.missing
            ).explanation()
        if not parsed.suppress_auto_reply:
            mail_refusal(
                to=contact.email,
                subject=f"{ticket.subject_tag} {ticket.subject}",
                explanations={ticket.language: explanation},
                in_reply_to=parsed.message_id,
                references=thread_ids(ticket),
                ticket=ticket,
            )


def _route_new_request(
    mail: InboundMail, parsed: ParsedMail, *, trusted: bool, senders: Senders
) -> MailOutcome:
    contact, _agent = senders.sender(parsed.from_address)
    hold = _hold_for_authentication(parsed, trusted=trusted) if contact else ""
    if hold:
        mail.is_held = True
        return _outcome(mail, InboundMail.Outcome.REFUSED, reason=hold)
    if contact is not None and not trusted and _over_new_ticket_rate(parsed.from_address, senders):
        mail.is_held = True
        return _outcome(mail, InboundMail.Outcome.REFUSED, reason=MailReason.RATE_LIMITED)

    text = parsed.text
    device = (
        find_device(f"{parsed.subject}\n{text}", contact=contact, devices=senders.devices)
        if contact
        else None
    )
    details = delivery_details(text)
    request = TicketRequest(
        channel=Channel.EMAIL,
        contact=contact,
        subject=strip_subject_prefixes(parsed.subject),
        description=text or parsed.subject,
        serial_number=device.serial_number if device else "",
        device=device,
        priority=Priority.P1 if parsed.urgent else Priority.P3,
        hardware_fault=is_hardware_fault(f"{parsed.subject}\n{text}"),
        delivery_address=details.get("address", ""),
        delivery_contact=details.get("contact", ""),
        received_at=mail.received_at,
        email_message_id=parsed.message_id,
        email_references=tuple(parsed.references),
        acknowledge=not parsed.suppress_auto_reply,
    )
    result = open_ticket(request)
    if str(result.outcome) in OPENED_A_TICKET:
        senders.opened(parsed.from_address[:998])
    if result.ticket is None:
        _answer_refusal(parsed, result, contact=contact)
        return _outcome(mail, result.outcome, reason=result.reason or "")
    mail.ticket_message = result.message
    store_attachments(result.message, parsed, ticket=result.ticket)
    return _outcome(mail, result.outcome, result.ticket, result.reason or "")


def _over_new_ticket_rate(address: str, senders: Senders) -> bool:
    cap: int = settings.MAILGATE_NEW_TICKETS_PER_SENDER_PER_HOUR
    return senders.tickets_opened_last_hour(address) >= cap


def _answer_refusal(parsed: ParsedMail, result: IntakeResult, *, contact: Contact | None) -> None:
    """Tell the sender why nothing was opened (R10 redirect, R11 refusal…), never a robot."""
    if parsed.suppress_auto_reply or not parsed.from_address:
        return
    if parsed.authentication == "fail":
        return  # a forged sender: answering would send our mail to someone who did not write
    languages = [contact.language] if contact else ["fi", "en"]
    explanations = {}
    for language in languages:
        with translation.override(language):
            explanations[language] = result.explanation()
    # The subject's prefix in the contact's language; a stranger, whose language we do not know,
    # gets the "Re:" every mail client understands.
    with translation.override(contact.language if contact else "en"):
        subject = _("Re: %(subject)s") % {"subject": parsed.subject} if parsed.subject else "Re:"
    mail_refusal(
        to=parsed.from_address,
        subject=subject,
        explanations=explanations,
        in_reply_to=parsed.message_id,
        references=[*parsed.references, parsed.message_id] if parsed.message_id else [],
    )


def store_attachments(message: Message | None, parsed: ParsedMail, *, ticket: Ticket) -> None:
    if message is None:
        return
    too_large = []
    for part in parsed.attachments:
        try:
            store_attachment(
                message,
                filename=part.filename,
                content_type=part.content_type,
                data=part.data,
                inline=part.inline,
                content_id=part.content_id,
            )
        except AttachmentTooLargeError as error:
            too_large.append(error)
    if too_large and parsed.from_address and not parsed.suppress_auto_reply:
        with translation.override(ticket.language):
            names = ", ".join(f"{e.filename} ({e.size // (1024 * 1024)} MB)" for e in too_large)
            body = _(
                "These attachments were larger than %(limit)s MB and were not added to "
                "%(number)s: %(names)s. The rest of your message was added. Please send the files "
                "in smaller parts or as a download link."
            ) % {
                "limit": too_large[0].limit // (1024 * 1024),
                "number": ticket.tracking_number,
                "names": names,
            }
        queue_mail(
            to=[parsed.from_address],
            subject=f"{ticket.subject_tag} {ticket.subject}",
            body=body,
            ticket=ticket,
            in_reply_to=parsed.message_id,
            references=thread_ids(ticket),
            auto_submitted=True,
            kind=OutboundMail.Kind.REFUSAL,
        )


# --- Machine mail --------------------------------------------------------------------------------


def _route_machine_mail(mail: InboundMail, parsed: ParsedMail) -> MailOutcome:
    """Robots get no answer (RFC 3834); a bounce of our own mail becomes an internal note."""
    if parsed.machine_reason == "bounce":
        outbound = (
            OutboundMail.objects.filter(message_id__in=parsed.bounced_message_ids[:20])
            .select_related("ticket", "ticket__contact")
            .first()
        )
        if outbound is not None and outbound.ticket is not None:
            return _record_bounce(mail, parsed, outbound, ticket=outbound.ticket)
    ticket = None
    if parsed.machine_reason != "own_mail":
        ticket = _referenced_ticket(parsed)
    return _outcome(mail, InboundMail.Outcome.IGNORED, ticket, parsed.machine_reason)


def _record_bounce(
    mail: InboundMail, parsed: ParsedMail, outbound: OutboundMail, *, ticket: Ticket
) -> MailOutcome:
    recipients = parsed.bounced_recipients or list(outbound.to)
    Contact.objects.filter(email__in=recipients, email_bouncing_since__isnull=True).update(
        email_bouncing_since=now()
    )
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "Mail to %(recipients)s could not be delivered (%(subject)s). The address is marked "
            "as bouncing: please phone the customer."
        ) % {"recipients": ", ".join(recipients), "subject": outbound.subject}
    message = add_system_note(
        ticket,
        body=f"{note}\n\n{parsed.text[:5000]}",
        author_email=parsed.from_address,
        email_message_id=parsed.message_id,
    )
    mail.ticket_message = message
    return _outcome(mail, InboundMail.Outcome.APPENDED, ticket, MailReason.BOUNCE)
