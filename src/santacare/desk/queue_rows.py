"""The queue's rows as HTML, written in Python once per page.

The queue is the desk's busiest page and its fifty rows were most of its CPU: in the template
every cell was a lookup, a lazy translation, a choice's display name or a date filter, some
forty per row. Here the words rows repeat are translated once per page and a row is one
f-string, every value in it through `html.escape` (what the template's autoescape does,
without its per-value overhead). The markup is the template's; the rest of the page stays in
desk/queue.html.
"""

from collections.abc import Iterable
from datetime import datetime
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from santacare.sla.clocks import Clock, ClockState
from santacare.sla.models import ClockName
from santacare.tickets.models import Channel, Priority, Ticket

from .queues import QueueRow


class _Words:
    """What every row repeats, translated once for the page in its language."""

    def __init__(self) -> None:
        self.priorities = {value: str(label) for value, label in Priority.choices}
        self.statuses = {value: str(label) for value, label in Ticket.Status.choices}
        self.channels = {value: str(label) for value, label in Channel.choices}
        self.clocks = {value: str(label) for value, label in ClockName.choices}
        # The column names a narrow screen shows beside each cell (data-label).
        self.labels = {
            name: escape(text)
            for name, text in (
                ("ticket", gettext("Ticket")),
                ("due", gettext("Next breach")),
                ("updated", gettext("Updated")),
                ("priority", gettext("Priority")),
                ("status", gettext("Status")),
                ("customer", gettext("Customer")),
                ("assignee", gettext("Assignee")),
            )
        }
        self.select = gettext("Select %(tn)s")
        self.breached = escape(gettext("Breached"))
        self.paused = escape(gettext("Paused"))
        self.warning = escape(gettext("Warning"))
        self.no_clock = escape(gettext("No clock running"))
        self.was_due = gettext("was due %(due)s")
        self.left_paused = gettext("%(left)s left when work resumes")
        self.left = gettext("%(left)s left")
        self.badges = (
            format_html(
                '<span class="badge bad" title="{}">{}</span>',
                gettext("The customer was told to call: phone them."),
                gettext("Call the customer"),
            ),
            format_html('<span class="badge warn">{}</span>', gettext("Information missing")),
            format_html('<span class="badge">{}</span>', gettext("Merged")),
        )


def _shown(moment: datetime) -> str:
    # The desk's "j.n.Y H:i", without a format parser per cell.
    return f"{moment.day}.{moment.month}.{moment.year} {moment:%H:%M}"


def _time(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f'<time datetime="{local.isoformat()}">{_shown(local)}</time>'


def _clock(clock: Clock, *, warning: bool, words: _Words) -> str:
    label = escape(words.clocks.get(clock.name, clock.name))
    if clock.state == ClockState.BREACHED:
        badge = f'<span class="badge bad">{words.breached}</span>'
        text = escape(words.was_due % {"due": _shown(timezone.localtime(clock.due))})
    elif clock.state == ClockState.PAUSED:
        badge = f'<span class="badge">{words.paused}</span>'
        text = escape(words.left_paused % {"left": clock.remaining_text})
    else:
        badge = f'<span class="badge warn">{words.warning}</span>' if warning else ""
        left = escape(words.left % {"left": clock.remaining_text})
        text = f"{_time(clock.due)} · {left}"
    css = f"clock clock-{escape(clock.state)}{' clock-warning' if warning else ''}"
    return f'<div class="{css}">{badge} {label}: {text}</div>'


def _clocks(row: QueueRow, words: _Words) -> str:
    if not row.clocks:
        return f'<span class="sub">{words.no_clock}</span>'
    # Only the first clock, the one due soonest, carries the row's warning.
    return "".join(
        _clock(
            clock,
            warning=row.warning and index == 0 and clock.state == ClockState.RUNNING,
            words=words,
        )
        for index, clock in enumerate(row.clocks)
    )


def _row_class(row: QueueRow) -> str:
    css = f"priority-{row.ticket.priority.lower()}"
    if row.breached:
        return f"{css} sla-breached"
    return f"{css} sla-warning" if row.warning else css


def _row(row: QueueRow, words: _Words) -> str:
    ticket = row.ticket
    number = escape(ticket.tracking_number)
    flags = (ticket.phone_call_required, bool(ticket.missing_information), ticket.merged_into_id)
    badges = " ".join(badge for badge, shown in zip(words.badges, flags, strict=True) if shown)
    priority = escape(ticket.priority)
    priority_label = escape(words.priorities.get(ticket.priority, ticket.priority))
    status_label = escape(words.statuses.get(ticket.status, ticket.status))
    channel = escape(words.channels.get(ticket.channel, ticket.channel))
    url = escape(reverse("desk:ticket", args=[ticket.tracking_number]))
    assignee = escape(str(ticket.assignee)) if ticket.assignee else "–"
    select = escape(words.select % {"tn": ticket.tracking_number})
    label = words.labels
    return (
        f'<tr class="{escape(_row_class(row))}" data-ticket="{number}">'
        f'<td class="pick"><input type="checkbox" name="tickets" value="{number}" form="bulk"'
        f' aria-label="{select}"></td>'
        f'<td data-label="{label["ticket"]}"><a href="{url}" class="tn">{number}</a>'
        f" {escape(ticket.subject)} {badges}"
        f' <div class="sub">{escape(ticket.serial_number)} · {channel}</div></td>'
        f'<td class="col-due" data-label="{label["due"]}">{_clocks(row, words)}</td>'
        f'<td class="col-updated" data-label="{label["updated"]}">{_time(ticket.updated_at)}</td>'
        f'<td class="col-priority" data-label="{label["priority"]}">'
        f'<span class="badge prio prio-{priority.lower()}" title="{priority_label}">{priority}'
        f'<span class="visually-hidden"> – {priority_label}</span></span></td>'
        f'<td class="col-status" data-label="{label["status"]}">'
        f'<span class="badge status status-{escape(ticket.status)}">{status_label}</span></td>'
        f'<td class="col-customer" data-label="{label["customer"]}">'
        f"{escape(ticket.customer.name)}</td>"
        f'<td class="col-assignee" data-label="{label["assignee"]}">{assignee}</td>'
        "</tr>\n"
    )


def rows_html(rows: Iterable[QueueRow]) -> SafeString:
    """The table's rows, in the active language."""
    words = _Words()
    # Every value above went through escape().
    return mark_safe("".join(_row(row, words) for row in rows))  # noqa: S308
