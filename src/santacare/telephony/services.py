"""Call events from the phone system (R7), in the style of Zammad's generic CTI.

`newCall` (or `ringing`) starts a call and names the extension that rings, `answer` says who
took it, `hangup` ends it. Switchboards resend events they are unsure of, so a repeated event is
answered as a replay and changes nothing; an event that contradicts the call's state (an answer
after the hang-up, a known call id with other numbers) is a conflict, never a silent overwrite.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from santacare.accounts.models import User
from santacare.core.text import clean_line
from santacare.core.time import helsinki
from santacare.customers.models import Contact
from santacare.customers.phones import readable, to_e164
from santacare.tickets.conversation import add_system_note
from santacare.tickets.models import Channel, Ticket

from .models import MAX_CALL_ID_LENGTH, Call

# What switchboards send for a withheld number.
ANONYMOUS = {"", "anonymous", "unknown", "restricted", "private", "withheld"}
_NUMBER_RE = re.compile(r"^\+?[\d\s()\-./]{1,40}$")


class EventKind(StrEnum):
    NEW_CALL = "newCall"
    RINGING = "ringing"
    ANSWER = "answer"
    HANGUP = "hangup"


class CallErrorCode(StrEnum):
    BAD_NUMBER = "bad_number"
    BAD_CALL_ID = "bad_call_id"
    UNKNOWN_CALL = "unknown_call"
    CONFLICT = "conflict"


class CallEventError(Exception):
    def __init__(self, code: CallErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, kw_only=True)
class CallEvent:
    event: EventKind
    call_id: str
    direction: Call.Direction = Call.Direction.IN
    from_number: str = ""
    to_number: str = ""
    extension: str = ""
    user: str = ""
    cause: str = ""


@dataclass(frozen=True)
class CallUpdate:
    call: Call
    created: bool = False
    replayed: bool = False


def parse_number(raw: str, *, field: str) -> str:
    """The number as the switchboard sent it, checked: "" for a withheld one; CallEventError for
    something that is not a phone number at all."""
    value = clean_line(raw, max_length=100)
    if value.lower() in ANONYMOUS:
        return ""
    if not _NUMBER_RE.match(value):
        raise CallEventError(
            CallErrorCode.BAD_NUMBER,
            gettext("%(field)s is not a phone number: digits, spaces and a leading + only.")
            % {"field": field},
        )
    return value


def agent_for(*, extension: str = "", email: str = "") -> User | None:
    """The active agent with this extension (or, failing that, this email address)."""
    agents = User.objects.filter(is_active=True).exclude(role=User.Role.CUSTOMER)
    if extension and (agent := agents.filter(phone_extension=extension).first()):
        return agent
    if email:
        return agents.filter(email=email.strip().lower()).first()
    return None


@transaction.atomic
def record_call_event(event: CallEvent, *, at: datetime) -> CallUpdate:
    call_id = clean_line(event.call_id, max_length=MAX_CALL_ID_LENGTH + 1)
    if not call_id or len(call_id) > MAX_CALL_ID_LENGTH:
        raise CallEventError(
            CallErrorCode.BAD_CALL_ID,
            gettext("callId must be 1 to %(max)s characters.") % {"max": MAX_CALL_ID_LENGTH},
        )
    from_number = parse_number(event.from_number, field="from")
    to_number = parse_number(event.to_number, field="to")
    extension = clean_line(event.extension, max_length=40)
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if event.event in (EventKind.NEW_CALL, EventKind.RINGING) and call is None:
        return _start(event, call_id, from_number, to_number, extension, at=at)
    if call is None:
        raise CallEventError(
            CallErrorCode.UNKNOWN_CALL,
            gettext("No call with this callId: send newCall first."),
        )
    if event.event == EventKind.NEW_CALL:
        if (call.from_number, call.to_number) != (from_number, to_number):
            raise _conflict(gettext("This callId is already a call between other numbers."))
        return CallUpdate(call, replayed=True)
    if event.event == EventKind.RINGING:
        return _ring(call, extension)
    if event.event == EventKind.ANSWER:
        return _answer(call, event, extension, at=at)
    return _hang_up(call, event, at=at)


def _conflict(message: str) -> CallEventError:
    return CallEventError(CallErrorCode.CONFLICT, message)


def _start(
    event: CallEvent,
    call_id: str,
    from_number: str,
    to_number: str,
    extension: str,
    *,
    at: datetime,
) -> CallUpdate:
    direction = Call.Direction(event.direction)
    customer_number = from_number if direction == Call.Direction.IN else to_number
    e164 = to_e164(customer_number)
    contacts = list(Contact.objects.filter(phone_e164=e164, is_active=True)[:2]) if e164 else []
    if not extension and event.user:
        agent = agent_for(email=event.user)
        extension = agent.phone_extension if agent else ""
    try:
        with transaction.atomic():
            call = Call.objects.create(
                call_id=call_id,
                direction=direction,
                from_number=from_number,
                to_number=to_number,
                number_e164=e164,
                extension=extension,
                started_at=at,
                contact=contacts[0] if len(contacts) == 1 else None,
            )
    except IntegrityError:
        # The same newCall, sent twice at once: the other request created it.
        return CallUpdate(Call.objects.get(call_id=call_id), replayed=True)
    return CallUpdate(call, created=True)


def _ring(call: Call, extension: str) -> CallUpdate:
    if call.state != Call.State.RINGING:
        raise _conflict(gettext("The call has already been answered or has ended."))
    if not extension or extension == call.extension:
        return CallUpdate(call, replayed=True)
    # Forwarded: the next extension rings, and its agent sees the banner instead.
    call.extension = extension
    call.save(update_fields=["extension", "updated_at"])
    return CallUpdate(call)


def _answer(call: Call, event: CallEvent, extension: str, *, at: datetime) -> CallUpdate:
    if call.state == Call.State.ANSWERED:
        return CallUpdate(call, replayed=True)
    if call.state == Call.State.ENDED:
        raise _conflict(gettext("The call has already ended."))
    agent = agent_for(extension=extension or call.extension, email=event.user)
    call.state = Call.State.ANSWERED
    call.answered_at = at
    call.answered_by = agent
    if agent and agent.phone_extension:
        call.extension = agent.phone_extension
    elif extension:
        call.extension = extension
    call.save(update_fields=["state", "answered_at", "answered_by", "extension", "updated_at"])
    return CallUpdate(call)


def _hang_up(call: Call, event: CallEvent, *, at: datetime) -> CallUpdate:
    if call.state == Call.State.ENDED:
        return CallUpdate(call, replayed=True)
    call.state = Call.State.ENDED
    call.ended_at = at
    call.hangup_cause = clean_line(event.cause, max_length=40)
    call.save(update_fields=["state", "ended_at", "hangup_cause", "updated_at"])
    if call.ticket_id is not None and call.recorded_at is None:
        _write_on_ticket(call)
    return CallUpdate(call)


@transaction.atomic
def attach_call(call: Call, ticket: Ticket) -> Call:
    """The call was about this ticket (opened from it, or an open one it continued).

    The ticket gets its note when the call has ended, now or at the hang-up, so the note can
    say how long it lasted.
    """
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.ticket_id != ticket.pk:
        # Another ticket than before: that one keeps its note, this one gets its own.
        call.recorded_at = None
    call.ticket = ticket
    call.save(update_fields=["ticket", "recorded_at", "updated_at"])
    if call.state == Call.State.ENDED and call.recorded_at is None:
        _write_on_ticket(call)
    return call


def _write_on_ticket(call: Call) -> None:
    ticket = call.ticket
    if ticket is None:
        return
    lines = []
    for language in ("fi", "en"):
        with translation.override(language):
            lines.append(call_summary(call))
    add_system_note(ticket, body="\n".join(lines), channel=Channel.PHONE)
    call.recorded_at = call.ended_at
    call.save(update_fields=["recorded_at", "updated_at"])


def call_summary(call: Call) -> str:
    """One line in the active language: "Phone call from +358 40 1112222 on 2.12.2026 at 10:02,
    4 min, answered by Aino Agent."."""
    moment = helsinki(call.started_at)
    values = {
        "number": readable(call.number_e164)
        or call.customer_number
        or gettext("a withheld number"),
        "date": f"{moment.day}.{moment.month}.{moment.year}",
        # Finnish writes the time with a dot (klo 10.02), English with a colon.
        "time": moment.strftime("%H.%M" if translation.get_language() == "fi" else "%H:%M"),
        "duration": _duration_text(call.duration),
        "agent": str(call.answered_by or call.extension or "?"),
    }
    if call.answered_at is None:
        if call.direction == Call.Direction.IN:
            return gettext("Missed phone call from %(number)s on %(date)s at %(time)s.") % values
        return gettext("Unanswered phone call to %(number)s on %(date)s at %(time)s.") % values
    if call.direction == Call.Direction.IN:
        return (
            gettext(
                "Phone call from %(number)s on %(date)s at %(time)s, %(duration)s, "
                "answered by %(agent)s."
            )
            % values
        )
    return (
        gettext("Phone call to %(number)s on %(date)s at %(time)s, %(duration)s, by %(agent)s.")
        % values
    )


def _duration_text(duration: timedelta | None) -> str:
    seconds = int(duration.total_seconds()) if duration else 0
    if seconds < 60:
        return gettext("%(seconds)s s") % {"seconds": seconds}
    return gettext("%(minutes)s min") % {"minutes": round(seconds / 60)}
