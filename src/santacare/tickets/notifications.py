"""Mail the desk sends about tickets: acknowledgements (R6), agent replies (R4), refusals.

Every mail goes through the outbox (`outbox.services.queue_mail`) inside the caller's
transaction, so a ticket and the mail it owes commit together or not at all.
"""

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils import translation

from santacare.outbox.models import OutboundMail
from santacare.outbox.services import queue_mail

from .models import Message, Ticket

MAX_REFERENCES = 20


def ticket_subject(ticket: Ticket) -> str:
    return f"{ticket.subject_tag} {ticket.subject}"


def thread_ids(ticket: Ticket) -> list[str]:
    """The Message-IDs of the ticket's mail so far, oldest first, for References (RFC 5322)."""
    inbound = ticket.messages.exclude(email_message_id="").values_list(
        "created_at", "email_message_id"
    )
    outbound = ticket.outbound_mails.values_list("created_at", "message_id")
    ids: list[str] = []
    for _created, message_id in sorted([*inbound, *outbound]):
        if message_id not in ids:
            ids.append(message_id)
    # Keep the first (the thread's root) and the latest ones; clients need no more.
    return ids if len(ids) <= MAX_REFERENCES else [ids[0], *ids[-(MAX_REFERENCES - 1) :]]


def _render(template: str, language: str, context: dict[str, object]) -> str:
    with translation.override(language):
        return render_to_string(f"emails/{template}", context).strip() + "\n"


def acknowledge_ticket(
    ticket: Ticket, *, explanation: str, in_reply_to: str = "", references: Sequence[str] = ()
) -> OutboundMail | None:
    """R6: the automatic acknowledgement with the tracking number in the subject."""
    if ticket.contact is None:
        return None
    body = _render(
        "acknowledgement-body.txt",
        ticket.language,
        {"ticket": ticket, "contact": ticket.contact, "explanation": explanation},
    )
    return queue_mail(
        to=[ticket.contact.email],
        subject=ticket_subject(ticket),
        body=body,
        ticket=ticket,
        in_reply_to=in_reply_to,
        references=list(references) or ([in_reply_to] if in_reply_to else []),
        auto_submitted=True,
        kind=OutboundMail.Kind.ACKNOWLEDGEMENT,
    )


def mail_agent_reply(message: Message) -> OutboundMail | None:
    """R4: an agent's public reply reaches the customer's mailbox, threaded on the ticket."""
    ticket = message.ticket
    if ticket.contact is None or not message.is_public:
        return None
    references = thread_ids(ticket)
    body = _render(
        "reply-body.txt",
        ticket.language,
        {"ticket": ticket, "message": message, "author": message.author_user},
    )
    mail = queue_mail(
        to=[ticket.contact.email],
        subject=ticket_subject(ticket),
        body=body,
        ticket=ticket,
        in_reply_to=references[-1] if references else "",
        references=references,
        kind=OutboundMail.Kind.REPLY,
    )
    # The reply's own Message-ID lets In-Reply-To find the ticket when a client drops the subject.
    Message.objects.filter(pk=message.pk).update(email_message_id=mail.message_id)
    return mail


def mail_refusal(
    *,
    to: str,
    subject: str,
    explanations: dict[str, str],
    in_reply_to: str = "",
    references: Sequence[str] = (),
    ticket: Ticket | None = None,
) -> OutboundMail:
    """An answer that opens nothing: refused, redirected to the NOC, or not on this ticket.

    `explanations` maps a language to the text in it; unknown senders get Finnish and English,
    since we do not know their language.
    """
    bodies = [
        _render("refusal-body.txt", language, {"explanation": text})
        for language, text in explanations.items()
    ]
    return queue_mail(
        to=[to],
        subject=subject,
        body="\n\n".join(bodies),
        ticket=ticket,
        in_reply_to=in_reply_to,
        references=list(references) or ([in_reply_to] if in_reply_to else []),
        auto_submitted=True,
        kind=OutboundMail.Kind.REFUSAL,
    )
