"""The desk's queues: tabs with counts, filters, search and pages."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_stubs_ext import StrOrPromise

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.paging import query_with
from santacare.core.time import now

from ..forms import QueueFilterForm
from ..queues import Filters, Queue, filtered_tickets, queue_counts, risk_page, ticket_page


@require_GET
@agent_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = Filters(
        queue=data.get("queue") or Queue.ALL,
        q=data.get("q", ""),
        status=data.get("status", ""),
        priority=data.get("priority", ""),
        channel=data.get("channel", ""),
    )
    tickets = filtered_tickets(request.user, filters)
    if filters.queue == Queue.AT_RISK:
        page = risk_page(tickets, moment=now())
    else:
        page = ticket_page(tickets, cursor=data.get("after", ""))
    context = {
        "desk_section": "queue",
        "form": form,
        "filters": filters,
        "page": page,
        "queue_tabs": _queue_tabs(request),
        "next_query": query_with(request.GET, after=page.next_cursor),
        "previous_query": query_with(request.GET, after=page.previous_cursor),
    }
    template = "desk/queue.html"
    if request.htmx and request.htmx.target == "ticket-list":
        template += "#ticket-list"
    return render(request, template, context)


def _queue_tabs(request: AuthenticatedRequest) -> list[tuple[str, StrOrPromise, int]]:
    counts = queue_counts(request.user)
    return [(name, label, counts[name]) for name, label in Queue.LABELS.items()]
