"""The desk's queues: tabs with counts, filters, sorting, bulk actions and live updates."""

import hashlib
from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.time import now

from ..bulk import apply_bulk
from ..forms import BulkActionForm, QueueFilterForm, SavedFilterForm, active_agents
from ..models import SavedFilter
from ..queue_rows import rows_html
from ..queues import (
    COUNT_CAP,
    Filters,
    Queue,
    Sort,
    filtered_tickets,
    queue_counts,
    queue_stamp,
    ticket_page,
)

# What a saved filter or a return address may carry: the view, never a cursor or anything else.
VIEW_PARAMETERS = ("queue", "q", "status", "priority", "channel", "sort")
LIVE_SECONDS = 20


def view_query(query: QueryDict) -> str:
    """The query string of a queue view, reduced to what describes the view."""
    return _view_query(QueueFilterForm(query))


def _view_query(form: QueueFilterForm) -> str:
    data = form.cleaned_data if form.is_valid() else {}
    kept = QueryDict(mutable=True)
    for name in VIEW_PARAMETERS:
        if data.get(name):
            kept[name] = data[name]
    return kept.urlencode()


def _filters(form: QueueFilterForm) -> Filters:
    data = form.cleaned_data if form.is_valid() else {}
    return Filters(
        queue=data.get("queue") or Queue.ALL,
        q=data.get("q", ""),
        status=data.get("status", ""),
        priority=data.get("priority", ""),
        channel=data.get("channel", ""),
        sort=data.get("sort") or Sort.DUE,
    )


def _etag(
    request: AuthenticatedRequest, current: str, stamp: datetime | None, moment_minute: str
) -> str:
    # The time left shown changes by the minute even when no ticket does.
    parts = [
        str(request.user.pk),
        translation.get_language() or "",
        current,
        request.GET.get("after", ""),
        stamp.isoformat() if stamp else "",
        moment_minute,
    ]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


@require_GET
@agent_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    moment = now()
    stamp = queue_stamp()
    # One form for the view, its ETag and its links: each one validated costs a millisecond.
    form = QueueFilterForm(request.GET)
    current = _view_query(form)
    etag = _etag(request, current, stamp, moment.strftime("%Y%m%d%H%M"))
    live = request.GET.get("live") == "1"
    if live and request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    filters = _filters(form)
    data = form.cleaned_data if form.is_valid() else {}
    tickets = filtered_tickets(request.user, filters, moment=moment)
    page = ticket_page(tickets, sort=filters.sort, cursor=data.get("after", ""), moment=moment)
    context = {
        "desk_section": "queue",
        "form": form,
        "filters": filters,
        "page": page,
        "rows_html": rows_html(page.items),
        "etag": etag,
        "live_seconds": LIVE_SECONDS,
        "count_cap": COUNT_CAP,
        "current_query": current,
        "queue_tabs": _queue_tabs(request, moment=moment, stamp=stamp),
        "sort_columns": _sort_columns(request.GET),
        "sort_label": Sort.LABELS.get(filters.sort, ""),
        "bulk_form": BulkActionForm(),
        # One query for the list of agents, rather than the form's count-then-iterate.
        "agents": list(active_agents()),
        "next_query": _with(request.GET, after=page.next_cursor) if page.next_cursor else "",
        "previous_query": (
            _with(request.GET, after=page.previous_cursor) if page.previous_cursor else ""
        ),
        "first_query": "" if page.first_page else current or "queue=all",
    }
    template = "desk/queue.html"
    if live:
        template += "#queue-live"
    elif request.htmx and request.htmx.target == "ticket-list":
        template += "#ticket-list"
    else:
        context["saved_filters"] = SavedFilter.objects.filter(owner=request.user)
        context["save_form"] = SavedFilterForm(initial={"query": current})
    response = render(request, template, context)
    response["ETag"] = etag
    # Every agent's queue is their own, and a stale copy is worse than none.
    response["Cache-Control"] = "private, no-cache"
    return response


def _with(query: QueryDict, **values: str | None) -> str:
    changed = query.copy()
    changed.pop("live", None)
    for name, value in values.items():
        if value:
            changed[name] = value
        else:
            changed.pop(name, None)
    return changed.urlencode()


def _sort_columns(query: QueryDict) -> list[tuple[str, StrOrPromise, str]]:
    return [
        (name, label, _with(query, sort=name, after=None)) for name, label in Sort.LABELS.items()
    ]


def _queue_tabs(
    request: AuthenticatedRequest, *, moment: datetime, stamp: datetime | None
) -> list[tuple[str, StrOrPromise, int]]:
    counts = queue_counts(request.user, moment=moment, stamp=stamp)
    return [(name, label, counts[name]) for name, label in Queue.LABELS.items()]


@require_POST
@agent_required
def queue_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """One service call per checked ticket; what failed is listed with its reason."""
    form = BulkActionForm(request.POST)
    back = reverse("desk:queue") + "?" + view_query(QueryDict(request.POST.get("back", "")))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    outcome = apply_bulk(form.cleaned_data["tickets"], form.change(), by=request.user)
    if outcome.changed:
        messages.success(
            request,
            _("Changed %(count)d tickets: %(tickets)s")
            % {"count": len(outcome.changed), "tickets": ", ".join(outcome.changed)},
        )
    for tracking_number, reason in outcome.failed:
        messages.error(
            request,
            _("%(ticket)s not changed: %(reason)s") % {"ticket": tracking_number, "reason": reason},
        )
    return redirect(back)
