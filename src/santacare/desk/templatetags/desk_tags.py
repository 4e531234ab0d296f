from django import template
from django.utils.translation import gettext_lazy as _

from santacare.desk.services import TECHNICAL_CONTACT_ADDED
from santacare.tickets.models import Event, Ticket
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


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


@register.filter
def event_change(event: Event) -> str:
    """ "New → In progress" for a status or priority change, in the reader's language."""
    old, new = event.data.get("old"), event.data.get("new")
    if event.kind == Event.Kind.STATUS_CHANGED:
        return f"{_label(Ticket.Status, old)} → {_label(Ticket.Status, new)}"
    if event.kind == Event.Kind.PRIORITY_CHANGED:
        return f"{old} → {new}"
    return ""
