"""The event log in words: what changed, from what to what, in the reader's language.

Rendered from the stored rows only. Events written before a detail was recorded simply show
less: every lookup below tolerates a missing or unknown value.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import template
from django.db import models
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from santacare.core.time import helsinki
from santacare.desk.services import TECHNICAL_CONTACT_ADDED
from santacare.rma.models import Rma
from santacare.sla.models import ClockName
from santacare.tickets.models import Event, Message, Priority, Ticket
from santacare.tickets.services import PHONE_CALL_MADE

register = template.Library()

# Kinds the desk records beyond Event.Kind (the column is open to other apps' kinds).
_DESK_KINDS = {
    TECHNICAL_CONTACT_ADDED: _("Caller added as a technical contact"),
    PHONE_CALL_MADE: _("Customer phoned"),
}


@register.filter
def event_label(event: Event) -> str:
    return str(_DESK_KINDS.get(event.kind, event.kind_label))


def _label(choices: type[models.TextChoices], value: Any) -> str:
    if value in (None, ""):
        return "–"
    return str(choices(value).label) if value in choices.values else str(value)


def _when(value: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return dateformat.format(helsinki(moment), "j.n.Y H:i")


def _arrow(old: str, new: str) -> str:
    return f"{old} → {new}"


def _status(data: dict) -> str:
    return _arrow(_label(Ticket.Status, data.get("old")), _label(Ticket.Status, data.get("new")))


def _priority(data: dict) -> str:
    return _arrow(_label(Priority, data.get("old")), _label(Priority, data.get("new")))


def _assigned(data: dict) -> str:
    nobody = gettext("Nobody")
    return _arrow(data.get("old_name") or nobody, data.get("new_name") or nobody)


_RMA_DETAILS = (
    ("vendor_rma_number", _("vendor's RMA number %(value)s")),
    ("replacement_serial", _("replacement serial %(value)s")),
    ("reason", _("reason: %(value)s")),
)


def _rma(data: dict) -> str:
    if "new" not in data:
        return ""
    name = f"RMA {data['rma']}" if data.get("rma") else "RMA"
    old, new = data.get("old"), data.get("new")
    if not old:
        change = gettext("opened, %(status)s") % {"status": _label(Rma.Status, new)}
    elif old == new:
        change = _label(Rma.Status, new)
    else:
        change = _arrow(_label(Rma.Status, old), _label(Rma.Status, new))
    extra = [str(text) % {"value": data[key]} for key, text in _RMA_DETAILS if data.get(key)]
    return ": ".join([name, ", ".join([change, *extra])])


def _message(data: dict) -> str:
    if data.get("released"):
        return gettext("released after review")
    visibility = data.get("visibility")
    if visibility == Message.Visibility.INTERNAL:
        return gettext("internal note")
    if visibility == Message.Visibility.PUBLIC:
        return gettext("public")
    return ""


def _sla(data: dict) -> str:
    if not data.get("clock"):
        return ""
    clock = _label(ClockName, data["clock"])
    if data.get("due"):
        return gettext("%(clock)s, due %(due)s") % {"clock": clock, "due": _when(data["due"])}
    return clock


_CHANGES: dict[str, Callable[[dict], str]] = {
    Event.Kind.STATUS_CHANGED: _status,
    Event.Kind.PRIORITY_CHANGED: _priority,
    Event.Kind.ASSIGNED: _assigned,
    Event.Kind.RMA_CHANGED: _rma,
    Event.Kind.MESSAGE_ADDED: _message,
    Event.Kind.SLA_WARNING: _sla,
    Event.Kind.SLA_BREACHED: _sla,
}


@register.filter
def event_change(event: Event) -> str:
    """ "New → In progress", "RMA 3: Replacement shipped → Replacement delivered"."""
    data = event.data if isinstance(event.data, dict) else {}
    describe = _CHANGES.get(event.kind)
    return describe(data) if describe else ""
