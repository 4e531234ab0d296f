from typing import Any

from santacare.accounts.models import User

from .models import Event, Ticket


def record_event(
    ticket: Ticket,
    kind: str,
    *,
    by: User | None = None,
    by_label: str = "",
    **data: Any,
) -> Event:
    label = by_label or (str(by) if by else "")
    return Event.objects.create(ticket=ticket, kind=kind, actor=by, actor_label=label, data=data)
