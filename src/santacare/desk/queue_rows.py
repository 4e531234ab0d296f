"""What a queue row shows, as plain strings worked out once per page.

Fifty rows of cells, each a lazy label, a choice's display name or a date filter, made the
template's lookups and translations most of the queue's CPU. Here the page's words are
translated once (per request, in its language) and every row becomes strings the template
only prints.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from santacare.sla.clocks import ClockState
from santacare.sla.models import ClockName
from santacare.tickets.models import Channel, Priority, Ticket

from .queues import QueueRow


@dataclass(frozen=True)
class ClockCell:
    state: str
    label: str
    # Only the row's first clock carries the warning badge.
    warning: bool
    due_iso: str
    due_text: str
    # "was due …", "… left when work resumes" or "… left".
    left: str


@dataclass(frozen=True)
class RowView:
    row_class: str
    tracking_number: str
    url: str
    select_label: str
    subject: str
    phone_call_required: bool
    missing_information: bool
    merged: bool
    serial_number: str
    channel: str
    clocks: list[ClockCell]
    updated_iso: str
    updated_text: str
    priority: str
    priority_class: str
    priority_label: str
    status: str
    status_label: str
    customer: str
    assignee: str


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def _shown(moment: datetime) -> str:
    # The template's "j.n.Y H:i", without a format parser per cell.
    return f"{moment.day}.{moment.month}.{moment.year} {moment:%H:%M}"


class _Words:
    """The strings rows repeat, each translated once for the page."""

    def __init__(self) -> None:
        self.priorities = {value: str(label) for value, label in Priority.choices}
        self.statuses = {value: str(label) for value, label in Ticket.Status.choices}
        self.channels = {value: str(label) for value, label in Channel.choices}
        self.clocks = {value: str(label) for value, label in ClockName.choices}
        self.select = gettext("Select %(tn)s")
        self.was_due = gettext("was due %(due)s")
        self.left_paused = gettext("%(left)s left when work resumes")
        self.left = gettext("%(left)s left")


def _clock_cells(row: QueueRow, words: _Words) -> list[ClockCell]:
    cells = []
    for index, clock in enumerate(row.clocks):
        due = _local(clock.due)
        due_text = _shown(due)
        if clock.state == ClockState.BREACHED:
            left = words.was_due % {"due": due_text}
        elif clock.state == ClockState.PAUSED:
            left = words.left_paused % {"left": clock.remaining_text}
        else:
            left = words.left % {"left": clock.remaining_text}
        cells.append(
            ClockCell(
                state=str(clock.state),
                label=words.clocks.get(clock.name, clock.name),
                warning=row.warning and index == 0 and clock.state == ClockState.RUNNING,
                due_iso=due.isoformat(),
                due_text=due_text,
                left=left,
            )
        )
    return cells


def _row_class(row: QueueRow) -> str:
    css = f"priority-{row.ticket.priority.lower()}"
    if row.breached:
        return f"{css} sla-breached"
    return f"{css} sla-warning" if row.warning else css


def row_views(rows: Iterable[QueueRow]) -> list[RowView]:
    words = _Words()
    views = []
    for row in rows:
        ticket = row.ticket
        number = ticket.tracking_number
        updated = _local(ticket.updated_at)
        views.append(
            RowView(
                row_class=_row_class(row),
                tracking_number=number,
                url=reverse("desk:ticket", args=[number]),
                select_label=words.select % {"tn": number},
                subject=ticket.subject,
                phone_call_required=ticket.phone_call_required,
                missing_information=bool(ticket.missing_information),
                merged=ticket.merged_into_id is not None,
                serial_number=ticket.serial_number,
                channel=words.channels.get(ticket.channel, ticket.channel),
                clocks=_clock_cells(row, words),
                updated_iso=updated.isoformat(),
                updated_text=_shown(updated),
                priority=ticket.priority,
                priority_class=ticket.priority.lower(),
                priority_label=words.priorities.get(ticket.priority, ticket.priority),
                status=ticket.status,
                status_label=words.statuses.get(ticket.status, ticket.status),
                customer=ticket.customer.name,
                assignee=str(ticket.assignee) if ticket.assignee else "–",
            )
        )
    return views
