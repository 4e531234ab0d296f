"""A ticket's conversation (R4): customers' and agents' replies, internal notes, held mail.

`add_message` is the door for every message after the first, from every channel; every message
of every ticket, the first included, is written by `store_message`, with its event in the log.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from santacare.accounts.models import User
from santacare.core.text import clean_text
from santacare.customers.models import Contact

from .access import may_act_on
from .events import record_event
from .models import MAX_BODY_LENGTH, Channel, Event, Message, Ticket
from .notifications import mail_agent_reply
from .outcomes import Outcome, Reason
from .results import IntakeResult
from .signals import message_added
from .status import REOPENED_BY_CUSTOMER, move_ticket, record_first_response


# Like open_ticket: no savepoint of its own in a caller's transaction; a raise rolls back the
# caller's atomic block, so a half-added message never stays.
@transaction.atomic(savepoint=False)
def add_message(
    ticket: Ticket,
    *,
    body: str,
    channel: Channel,
    author_contact: Contact | None = None,
    author_user: User | None = None,
    internal: bool = False,
    body_html: str = "",
    email_message_id: str = "",
    held_for_review: bool = False,
    ticket_locked: bool = False,
) -> IntakeResult:
    """Continue a ticket (R4): a customer's or an agent's reply, or an agent's internal note.

    A public agent reply is mailed to the ticket's contact; an internal note never is. A
    message held for review is stored for agents only and changes nothing on the ticket.
    `ticket_locked`: the caller read `ticket` with its row lock in this transaction and has not
    changed it since (a batch of mail locks its replies' tickets in one statement), so it is
    not read again.
    """
    if not ticket_locked:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    is_agent = author_user is not None and author_user.is_agent
    if not is_agent and not may_act_on(ticket, contact=author_contact):
        return IntakeResult(Outcome.REFUSED, ticket=ticket, reason=Reason.NOT_ON_THIS_TICKET)
    text = clean_text(body, max_length=MAX_BODY_LENGTH)
    if not text:
        return IntakeResult(Outcome.REFUSED, ticket=ticket, reason=Reason.EMPTY_MESSAGE)

    if is_agent:
        direction = Message.Direction.INTERNAL if internal else Message.Direction.OUTBOUND
    else:
        direction = Message.Direction.INBOUND
    author_email = author_contact.email if author_contact else getattr(author_user, "email", "")
    held = Event.Kind.MAIL_HELD if held_for_review else Event.Kind.MESSAGE_ADDED
    message = store_message(
        ticket,
        visibility=Message.Visibility.INTERNAL
        if internal and is_agent
        else Message.Visibility.PUBLIC,
        direction=direction,
        channel=channel,
        author_user=author_user,
        author_contact=author_contact,
        author_email=author_email,
        body=text,
        body_html=body_html,
        email_message_id=email_message_id,
        held_for_review=held_for_review,
        event=held,
        by=None if held_for_review else author_user,
        by_label=author_email if held_for_review else str(author_user or author_contact),
    )
    if not message.held_for_review:
        _after_message(ticket, message, by=author_user)
    return IntakeResult(Outcome.APPENDED, ticket=ticket, message=message)


@transaction.atomic
def add_system_note(
    ticket: Ticket,
    *,
    body: str,
    author_email: str = "",
    email_message_id: str = "",
    channel: Channel = Channel.EMAIL,
) -> Message:
    """An internal note the desk itself writes (a bounce of our mail, say): agents only, no
    mail, no status change; logged like every other message."""
    return store_message(
        ticket,
        visibility=Message.Visibility.INTERNAL,
        direction=Message.Direction.INTERNAL,
        channel=channel,
        author_email=author_email,
        body=clean_text(body, max_length=MAX_BODY_LENGTH),
        email_message_id=email_message_id,
        event=Event.Kind.MESSAGE_ADDED,
        by_label=author_email,
    )


def store_message(
    ticket: Ticket,
    *,
    event: str,
    by: User | None = None,
    by_label: str = "",
    event_data: dict[str, object] | None = None,
    more_events: Sequence[Event] = (),
    **fields: Any,
) -> Message:
    """Every message of every ticket is written here, with its event in the log; `more_events`
    (unsaved, of this ticket) are logged after it in the same INSERT."""
    message = Message.objects.create(ticket=ticket, **fields)
    if event_data is None:
        event_data = {"message": message.pk, "visibility": message.visibility}
    if more_events:
        label = by_label or (str(by) if by else "")
        first = Event(ticket=ticket, kind=event, actor=by, actor_label=label, data=event_data)
        logged = Event.objects.bulk_create([first, *more_events])
        # What Event.save() would send: the SLA clock index listens (sla/apps.py).
        for saved in logged:
            post_save.send(
                sender=Event,
                instance=saved,
                created=True,
                update_fields=None,
                raw=False,
                using=saved._state.db,
            )
    else:
        record_event(ticket, event, by=by, by_label=by_label, **event_data)
    if event == Event.Kind.MESSAGE_ADDED:
        message_added.send(sender=Message, message=message)
    return message


@transaction.atomic
def release_held_message(message: Message, *, by: User) -> Message:
    """An agent has reviewed a held message: it now counts like any other reply."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if not message.held_for_review:
        return message
    message.held_for_review = False
    message.save(update_fields=["held_for_review", "updated_at"])
    record_event(message.ticket, Event.Kind.MESSAGE_ADDED, by=by, message=message.pk, released=True)
    message_added.send(sender=Message, message=message)
    ticket = Ticket.objects.select_for_update().get(pk=message.ticket_id)
    _after_message(ticket, message, by=by)
    return message


def _after_message(ticket: Ticket, message: Message, *, by: User | None) -> None:
    """What a counted message does to its (locked) ticket: a public agent reply stops the
    response clock (R5) and is mailed (R4); a customer's reply puts a waiting, resolved or
    closed ticket back to work, so its restore clock runs again."""
    changed = False
    if message.direction == Message.Direction.OUTBOUND:
        changed = record_first_response(ticket, at=message.created_at)
    elif message.direction == Message.Direction.INBOUND and ticket.status in REOPENED_BY_CUSTOMER:
        by_label = str(by or message.author_contact)
        changed = move_ticket(ticket, Ticket.Status.IN_PROGRESS, by=by, by_label=by_label)
    if not changed:
        ticket.save(update_fields=["updated_at"])
    if message.direction == Message.Direction.OUTBOUND:
        mail_agent_reply(message)
