"""Mail in: store the raw bytes first, then route the message through the one intake service.

Semantics (docs/mail.md): exactly-once effect. `store_inbound_mail` commits the raw message in
its own short transaction, de-duplicated on the Message-ID (or the raw bytes' hash when there is
none); only then may the caller acknowledge it (exit 0, SMTP 250, IMAP move). Processing runs
in one transaction per message with the row locked, so a crash anywhere leaves the mail
`received` and the sweep processes it again, once.
"""

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from santacare.accounts.models import User
from santacare.core.time import now
from santacare.customers.models import Contact
from santacare.customers.queries import contact_by_email
from santacare.installbase.models import Device
from santacare.tickets.attachments import AttachmentTooLargeError, store_attachment
from santacare.tickets.intake import (
    IntakeResult,
    Outcome,
    TicketRequest,
    add_message,
    explain,
    may_act_on,
    open_ticket,
    release_held_message,
    supply_information,
)
from santacare.tickets.models import Channel, Message, Priority, Ticket
from santacare.tickets.notifications import mail_refusal, thread_ids
from santacare.tickets.tracking import ticket_by_tracking_number

from . import faults
from .models import InboundMail, OutboundMail
from .outbound import queue_mail
from .parse import ParsedMail, header_message_id, parse_mail, strip_subject_prefixes

logger = logging.getLogger(__name__)

MAX_RAW_BYTES = 50 * 1024 * 1024
# A mail left `received` this long was lost by its processor (a crash): the sweep takes it.
PENDING_GRACE = timedelta(minutes=2)


class Reason:
    """Why a mail had the outcome it had; stored on InboundMail and printed by --json."""

    NOT_ON_THIS_TICKET = "not_on_this_ticket"
    DMARC_FAIL = "dmarc_fail"
    UNVERIFIED = "unverified"
    RATE_LIMITED = "rate_limited"
    BOUNCE = "bounce"
    UNKNOWN_TICKET = "unknown_ticket"


@dataclass(frozen=True)
class MailOutcome:
    outcome: str
    tracking_number: str | None = None
    reason: str = ""
    mail_id: int | None = None

    def as_json(self) -> dict:
        return {
            "outcome": self.outcome,
            "tracking_number": self.tracking_number,
            "reason": self.reason or None,
        }


def _dedup_key(raw: bytes, message_id: str) -> str:
    if message_id:
        return hashlib.sha256(b"message-id:" + message_id.encode("utf-8", "replace")).hexdigest()
    return hashlib.sha256(b"raw:" + raw).hexdigest()


def _header_block(raw: bytes) -> str:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    head = raw[: end if end >= 0 else 64 * 1024][: 256 * 1024]
    return head.decode("utf-8", errors="replace")


def _raw_message_id(raw: bytes) -> str:
    # Enough of a parse to de-duplicate: the one Message-ID header, unfolded. A full parse
    # comes later, after the bytes are safe.
    matches = re.findall(
        r"^message-id:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)", _header_block(raw), re.I | re.M
    )
    return header_message_id(" ".join(matches[0].split())) if len(matches) == 1 else ""


def store_inbound_mail(
    raw: bytes,
    *,
    source: str,
    envelope_sender: str = "",
    envelope_recipients: Sequence[str] = (),
) -> tuple[InboundMail, bool]:
    """Commit the raw message; (mail, False) when the same mail was stored before."""
    faults.point(faults.AFTER_RECEIVE)
    raw = bytes(raw)
    message_id = _raw_message_id(raw)
    key = _dedup_key(raw, message_id)
    try:
        with transaction.atomic():
            mail = InboundMail.objects.create(
                raw=raw,
                size=len(raw),
                sha256=hashlib.sha256(raw).hexdigest(),
                message_id=message_id,
                dedup_key=key,
                source=source,
                envelope_sender=(envelope_sender or "")[:998],
                envelope_recipients=[str(r)[:998] for r in envelope_recipients][:100],
                received_at=now(),
            )
    except IntegrityError:
        # A second delivery (MTA retry, Bcc to two aliases, two workers at once): one mail.
        logger.info("Duplicate inbound mail %s", message_id or key)
        return InboundMail.objects.get(dedup_key=key), False
    faults.point(faults.AFTER_RAW_INSERT)
    return mail, True


def receive_mail(
    raw: bytes,
    *,
    source: str,
    envelope_sender: str = "",
    envelope_recipients: Sequence[str] = (),
) -> MailOutcome:
    """Store, then process at once; the path of `santacare mailgate` and `fetchmail`."""
    mail, created = store_inbound_mail(
        raw, source=source, envelope_sender=envelope_sender, envelope_recipients=envelope_recipients
    )
    if not created and mail.state == InboundMail.State.PROCESSED:
        return MailOutcome(
            InboundMail.Outcome.DUPLICATE,
            tracking_number=mail.ticket.tracking_number if mail.ticket else None,
            reason=f"already received as mail {mail.pk} ({mail.outcome})",
            mail_id=mail.pk,
        )
    return process_stored_mail(mail.pk)


def process_stored_mail(mail_id: int) -> MailOutcome:
    """Process one stored mail (once); quarantine it if it cannot be understood."""
    try:
        with transaction.atomic():
            mail = InboundMail.objects.select_for_update().get(pk=mail_id)
            if mail.state == InboundMail.State.PROCESSED:
                return _recorded_outcome(mail)
            parsed = parse_mail(bytes(mail.raw))
            outcome = _route(mail, parsed)
            faults.point(faults.MID_TRANSACTION)
            _record(mail, outcome)
    except (DatabaseError, faults.InjectedFault):
        raise  # transient or a simulated crash: the mail stays `received` for the sweep
    except Exception as error:
        logger.exception("Inbound mail %s quarantined", mail_id)
        return _quarantine(mail_id, f"{type(error).__name__}: {error}")
    faults.point(faults.AFTER_COMMIT)
    return outcome


def _recorded_outcome(mail: InboundMail) -> MailOutcome:
    return MailOutcome(
        mail.outcome,
        tracking_number=mail.ticket.tracking_number if mail.ticket else None,
        reason=mail.reason,
        mail_id=mail.pk,
    )


def _record(mail: InboundMail, outcome: MailOutcome) -> None:
    mail.state = InboundMail.State.PROCESSED
    mail.outcome = outcome.outcome
    mail.reason = mail.reason or outcome.reason
    mail.processed_at = now()
    mail.processing_attempts += 1
    mail.save()


@transaction.atomic
def _quarantine(mail_id: int, reason: str) -> MailOutcome:
    mail = InboundMail.objects.select_for_update().get(pk=mail_id)
    mail.state = InboundMail.State.PROCESSED
    mail.outcome = InboundMail.Outcome.QUARANTINED
    mail.is_quarantined = True
    mail.reason = reason[:5000]
    mail.processed_at = now()
    mail.processing_attempts += 1
    mail.save()
    return MailOutcome(InboundMail.Outcome.QUARANTINED, reason=mail.reason, mail_id=mail.pk)


def process_pending_inbound(*, older_than: timedelta = PENDING_GRACE, limit: int = 100) -> int:
    """The sweep: process mail a crash or a lost task left `received`. Returns how many."""
    pending = InboundMail.objects.filter(
        state=InboundMail.State.RECEIVED, received_at__lte=now() - older_than
    ).values_list("pk", flat=True)[:limit]
    done = 0
    for mail_id in list(pending):
        try:
            process_stored_mail(mail_id)
            done += 1
        except DatabaseError:
            logger.exception("Inbound mail %s: database error, will retry", mail_id)
    return done


# --- Routing -------------------------------------------------------------------------------------


def _route(mail: InboundMail, parsed: ParsedMail, *, trusted: bool = False) -> MailOutcome:
    mail.from_address = parsed.from_address[:998]
    mail.subject = parsed.subject[:998]
    mail.authentication = parsed.authentication
    mail.authentication_results = parsed.authentication_results[:5000]
    if parsed.machine_reason:
        return _route_machine_mail(mail, parsed)
    ticket = _referenced_ticket(parsed)
    if ticket is not None:
        return _route_reply(mail, parsed, ticket, trusted=trusted)
    return _route_new_request(mail, parsed, trusted=trusted)


def _outcome(mail: InboundMail, outcome: str, ticket: Ticket | None = None, reason: str = ""):
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


def _sender(parsed: ParsedMail) -> tuple[Contact | None, User | None]:
    if not parsed.from_address:
        return None, None
    agent = User.objects.filter(email__iexact=parsed.from_address, is_active=True).first()
    if agent is not None and agent.is_agent:
        return None, agent
    return contact_by_email(parsed.from_address), None


def _hold_for_authentication(parsed: ParsedMail, *, trusted: bool) -> str:
    """Held mail waits for an agent: DMARC failed for our contact's address (or, when the
    setting says so, nothing verified it at all)."""
    if trusted:
        return ""
    if parsed.authentication == "fail":
        return Reason.DMARC_FAIL
    if parsed.authentication == "unverified" and getattr(
        settings, "MAILGATE_HOLD_UNVERIFIED", False
    ):
        return Reason.UNVERIFIED
    return ""


def _route_reply(
    mail: InboundMail, parsed: ParsedMail, ticket: Ticket, *, trusted: bool
) -> MailOutcome:
    contact, agent = _sender(parsed)
    if agent is None and not may_act_on(ticket, contact=contact):
        # Not one of the ticket customer's technical contacts: nothing reaches the ticket
        # (another customer's number never attaches there); agents see it held, the sender
        # is told why without learning anything about the ticket.
        mail.is_held = True
        _answer_refusal(
            parsed, IntakeResult(Outcome.REFUSED, reason="not_on_this_ticket"), contact=contact
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
    )
    if result.outcome != Outcome.APPENDED:
        return _outcome(mail, InboundMail.Outcome.REFUSED, ticket, result.reason or "")
    mail.ticket_message = result.message
    mail.is_held = bool(hold)
    _store_attachments(result.message, parsed, ticket=ticket)
    if not hold and contact is not None and ticket.missing_information:
        _supply_information(ticket, parsed, contact=contact)
    return _outcome(mail, InboundMail.Outcome.APPENDED, ticket, hold)


def _supply_information(ticket: Ticket, parsed: ParsedMail, *, contact: Contact) -> None:
    text = parsed.reply_text
    device = _find_device(f"{parsed.subject}\n{text}", contact=contact)
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
            explanation = explain(
                IntakeResult(Outcome.INFO_REQUESTED, ticket=result.ticket, missing=result.missing)
            )
        if not parsed.suppress_auto_reply:
            mail_refusal(
                to=contact.email,
                subject=f"{ticket.subject_tag} {ticket.subject}",
                explanations={ticket.language: explanation},
                in_reply_to=parsed.message_id,
                references=thread_ids(ticket),
                ticket=ticket,
            )


def _route_new_request(mail: InboundMail, parsed: ParsedMail, *, trusted: bool) -> MailOutcome:
    contact, _agent = _sender(parsed)
    hold = _hold_for_authentication(parsed, trusted=trusted) if contact else ""
    if hold:
        mail.is_held = True
        return _outcome(mail, InboundMail.Outcome.REFUSED, reason=hold)
    if contact is not None and not trusted and _over_new_ticket_rate(parsed.from_address):
        mail.is_held = True
        return _outcome(mail, InboundMail.Outcome.REFUSED, reason=Reason.RATE_LIMITED)

    text = parsed.text
    device = _find_device(f"{parsed.subject}\n{text}", contact=contact) if contact else None
    details = delivery_details(text)
    request = TicketRequest(
        channel=Channel.EMAIL,
        contact=contact,
        subject=strip_subject_prefixes(parsed.subject),
        description=text or parsed.subject,
        serial_number=device.serial_number if device else "",
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
    if result.ticket is None:
        _answer_refusal(parsed, result, contact=contact)
        return _outcome(mail, result.outcome, reason=result.reason or "")
    mail.ticket_message = result.message
    _store_attachments(result.message, parsed, ticket=result.ticket)
    return _outcome(mail, result.outcome, result.ticket, result.reason or "")


def _over_new_ticket_rate(address: str) -> bool:
    cap = getattr(settings, "MAILGATE_NEW_TICKETS_PER_SENDER_PER_HOUR", 20)
    opened = InboundMail.objects.filter(
        from_address=address,
        received_at__gt=now() - timedelta(hours=1),
        outcome__in=[
            InboundMail.Outcome.CREATED,
            InboundMail.Outcome.INFO_REQUESTED,
            InboundMail.Outcome.MUST_CALL,
        ],
    ).count()
    return opened >= cap


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
            explanations[language] = explain(result)
    mail_refusal(
        to=parsed.from_address,
        subject=_("Re: %(subject)s") % {"subject": parsed.subject} if parsed.subject else "Re:",
        explanations=explanations,
        in_reply_to=parsed.message_id,
        references=[*parsed.references, parsed.message_id] if parsed.message_id else [],
    )


def _store_attachments(message: Message | None, parsed: ParsedMail, *, ticket: Ticket) -> None:
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
            return _record_bounce(mail, parsed, outbound)
    ticket = None
    if parsed.machine_reason != "own_mail":
        ticket = _referenced_ticket(parsed)
    return _outcome(mail, InboundMail.Outcome.IGNORED, ticket, parsed.machine_reason)


def _record_bounce(mail: InboundMail, parsed: ParsedMail, outbound: OutboundMail) -> MailOutcome:
    ticket = outbound.ticket
    recipients = parsed.bounced_recipients or list(outbound.to)
    Contact.objects.filter(email__in=recipients, email_bouncing_since__isnull=True).update(
        email_bouncing_since=now()
    )
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "Mail to %(recipients)s could not be delivered (%(subject)s). The address is marked "
            "as bouncing: please phone the customer."
        ) % {"recipients": ", ".join(recipients), "subject": outbound.subject}
    message = Message.objects.create(
        ticket=ticket,
        visibility=Message.Visibility.INTERNAL,
        direction=Message.Direction.INTERNAL,
        channel=Channel.EMAIL,
        author_email=parsed.from_address,
        body=f"{note}\n\n{parsed.text[:5000]}",
        email_message_id=parsed.message_id,
    )
    mail.ticket_message = message
    return _outcome(mail, InboundMail.Outcome.APPENDED, ticket, Reason.BOUNCE)


# --- What a mail says ----------------------------------------------------------------------------

# Serial numbers look like FOC2233X0AB or JN11AB2C3DEF: letters and digits together.
_SERIAL_CANDIDATE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9][A-Za-z0-9\-/.]{4,40}[A-Za-z0-9])")


def serial_candidates(text: str) -> list[str]:
    seen: list[str] = []
    for match in _SERIAL_CANDIDATE_RE.finditer(text[:50_000]):
        token = match[1].upper()
        if token.startswith("SC-") or token in seen:
            continue
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
            seen.append(token)
        if len(seen) >= 200:
            break
    return seen


def _find_device(text: str, *, contact: Contact | None) -> Device | None:
    """R3 for email: the first serial in the text that is in the sender's own install base."""
    if contact is None:
        return None
    candidates = serial_candidates(text)
    if not candidates:
        return None
    devices = {
        device.serial_number: device
        for device in Device.objects.filter(
            customer=contact.customer, serial_number__in=candidates
        ).select_related("contract", "contract__service_level")
    }
    return next((devices[c] for c in candidates if c in devices), None)


_HARDWARE_FAULT_RE = re.compile(
    r"laitevika|rautavika|hardware (?:fault|failure)|vaihtolaite|varaosa|"
    r"replacement (?:part|unit|device)|\bRMA\b|hajonn|\brikki\b|\bbroken\b",
    re.I,
)


def is_hardware_fault(text: str) -> bool:
    return bool(_HARDWARE_FAULT_RE.search(text[:50_000]))


_LABEL_RE = re.compile(r"^\s*([\w äöåÄÖÅ-]{3,40}?)\s*:\s*(.*)$")
_ADDRESS_LABELS = ("toimitusosoite", "delivery address", "leveransadress", "osoite")
_CONTACT_LABELS = (
    "yhteyshenkilö",
    "toimituksen yhteyshenkilö",
    "contact person",
    "delivery contact",
    "kontaktperson",
)


def delivery_details(text: str) -> dict[str, str]:
    """R9: "Toimitusosoite:" / "Delivery address:" and "Yhteyshenkilö:" / "Contact person:"
    as the customer wrote them; an address may go on over the next lines."""
    details: dict[str, str] = {}
    lines = strip_quoted_lines(text)
    for index, line in enumerate(lines):
        match = _LABEL_RE.match(line)
        if not match:
            continue
        label, value = match[1].strip().lower(), match[2].strip()
        if label in _ADDRESS_LABELS and "address" not in details:
            parts = [value] if value else []
            for following in lines[index + 1 : index + 5]:
                if not following.strip() or _LABEL_RE.match(following):
                    break
                parts.append(following.strip())
            if parts:
                details["address"] = "\n".join(parts)
        elif label in _CONTACT_LABELS and value and "contact" not in details:
            details["contact"] = value
    return details


def strip_quoted_lines(text: str) -> list[str]:
    return [line for line in text.splitlines()[:2000] if not line.lstrip().startswith(">")]


# --- The agents' actions on held and quarantined mail --------------------------------------------


@transaction.atomic
def release_held_mail(mail: InboundMail, *, by: User) -> MailOutcome:
    """An agent trusts a held mail: a held reply counts, a held request is processed again as
    trusted; a mail from outside the ticket's customer becomes an internal note by the agent."""
    mail = InboundMail.objects.select_for_update().get(pk=mail.pk)
    outcome = _recorded_outcome(mail)
    if mail.ticket_message is not None and mail.ticket_message.held_for_review:
        release_held_message(mail.ticket_message, by=by)
    elif mail.ticket is not None and mail.ticket_message is None:
        parsed = parse_mail(bytes(mail.raw))
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
        outcome = _route(mail, parse_mail(bytes(mail.raw)), trusted=True)
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
        parsed = parse_mail(bytes(mail.raw))
    except Exception:
        parsed = ParsedMail(text=bytes(mail.raw)[:100_000].decode("utf-8", errors="replace"))
    contact = contact or contact_by_email(parsed.from_address or mail.envelope_sender)
    text = parsed.text or parsed.subject
    device = _find_device(f"{parsed.subject}\n{text}", contact=contact)
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
        _store_attachments(result.message, parsed, ticket=result.ticket)
        mail.is_held = False
        mail.reviewed_by = by
        mail.reviewed_at = now()
        mail.save()
    return result
