"""Saved queue filters: each agent's own named views of the queue."""

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required

from ..forms import SavedFilterForm
from ..models import MAX_SAVED_FILTERS, SavedFilter
from .queue import view_query


@require_POST
@agent_required
def save_filter(request: AuthenticatedRequest) -> HttpResponse:
    """Save the queue view being looked at under a name; the same name again replaces it."""
    form = SavedFilterForm(request.POST)
    query = view_query(QueryDict(request.POST.get("query", "")))
    queue_url = reverse("desk:queue") + (f"?{query}" if query else "")
    if not form.is_valid():
        messages.error(request, _("Give the filter a name of at most 60 characters."))
        return redirect(queue_url)
    name = form.cleaned_data["name"].strip()
    mine = request.user.saved_filters
    if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED_FILTERS:
        messages.error(
            request,
            _("You have %(count)d saved filters already: delete one first.")
            % {"count": MAX_SAVED_FILTERS},
        )
        return redirect(queue_url)
    SavedFilter.objects.update_or_create(owner=request.user, name=name, defaults={"query": query})
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": name})
    return redirect(queue_url)


@require_POST
@agent_required
def delete_filter(request: AuthenticatedRequest, filter_id: int) -> HttpResponse:
    # Another agent's filter is not found, rather than forbidden: its existence is not shown.
    saved = get_object_or_404(SavedFilter, pk=filter_id, owner=request.user)
    saved.delete()
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect("desk:queue")
