"""Canned replies filled in for one ticket, in its contact's language and Helsinki time.

One function fills every placeholder, so the picker, the tests and any later channel agree.
An unknown placeholder, or a known one with nothing to put in it (no running SLA clock for
{due}), stays as typed: the agent sees it in the composer and fixes it before sending.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import dateformat

from santacare.accounts.models import User
from santacare.core.time import helsinki
from santacare.customers.models import Language
from santacare.sla.clocks import Clock, ClockState
from santacare.tickets.models import Ticket

from .models import CannedReply

PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
DUE_FORMAT = "j.n.Y H:i"


@dataclass(frozen=True)
class FilledReply:
    pk: int
    title: str
    text: str


def next_due(clocks: Iterable[Clock]) -> datetime | None:
    """The earliest due time among the clocks still running: what the customer waits for."""
    running = [clock.due for clock in clocks if clock.state == ClockState.RUNNING]
    return min(running, default=None)


def reply_language(ticket: Ticket) -> str:
    if ticket.contact is not None:
        return str(ticket.contact.language)
    return str(ticket.customer.language)


def fill(
    reply: CannedReply, ticket: Ticket, *, due: datetime | None, agent: User | None = None
) -> str:
    language = reply_language(ticket)
    text = reply.body_en if language == Language.ENGLISH and reply.body_en else reply.body_fi
    values = {
        "contact": ticket.contact.name if ticket.contact else "",
        "tracking_number": ticket.tracking_number,
        "due": dateformat.format(helsinki(due), DUE_FORMAT) if due else "",
        "agent": str(agent) if agent else "",
    }

    def replace(match: re.Match[str]) -> str:
        return values.get(match.group(1)) or match.group(0)

    return PLACEHOLDER_RE.sub(replace, text)


def canned_replies_for(
    ticket: Ticket, *, clocks: Iterable[Clock], agent: User | None
) -> list[FilledReply]:
    due = next_due(clocks)
    return [
        FilledReply(reply.pk, reply.title, fill(reply, ticket, due=due, agent=agent))
        for reply in CannedReply.objects.filter(is_active=True)
    ]
