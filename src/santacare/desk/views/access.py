"""Portal access requests decided in the desk (R11): approve or decline, with the reason."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.paging import keyset_page, query_with
from santacare.customers.models import AccessRequest
from santacare.customers.services import (
    AccessRequestError,
    approve_access_request,
    decline_access_request,
)

PAGE_SIZE = 50
DECIDED = "decided"


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason, sent to the person"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Write the reason: the person is told it.")},
    )


@require_GET
@agent_required
def access_requests(request: AuthenticatedRequest) -> HttpResponse:
    """Requests waiting for an agent, oldest first; or the decided ones, newest first."""
    shown = DECIDED if request.GET.get("show") == DECIDED else ""
    requests = AccessRequest.objects.select_related("customer", "decided_by")
    if shown:
        requests = requests.exclude(
            status__in=[AccessRequest.Status.PENDING, AccessRequest.Status.AWAITING_VERIFICATION]
        )
        order: tuple[str, ...] = ("-created_at", "-id")
    else:
        requests = requests.filter(status=AccessRequest.Status.PENDING)
        order = ("created_at", "id")
    page = keyset_page(
        requests,
        order=order,
        size=PAGE_SIZE,
        cursor=request.GET.get("after", ""),
        salt=f"desk.access.{shown}",
    )
    context = {
        "desk_section": "access",
        "shown": shown,
        "requests": page.items,
        "next_query": query_with(request.GET, after=page.next_cursor),
        "previous_query": query_with(request.GET, after=page.previous_cursor),
    }
    return render(request, "desk/access.html", context)


@require_POST
@agent_required
def access_approve(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest, pk=request_id)

    def verify_url(token: str) -> str:
        return request.build_absolute_uri(reverse("portal:verify_access", args=[token]))

    try:
        approve_access_request(access_request, by=request.user, verify_url=verify_url)
    except AccessRequestError as error:
        messages.error(request, f"{access_request.name}: {error.message}")
    else:
        messages.success(
            request,
            _("Approved: %(name)s is now a technical contact and was sent the activation link.")
            % {"name": access_request.name},
        )
    return redirect("desk:access")


@require_POST
@agent_required
def access_decline(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest, pk=request_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, f"{access_request.name}: {error}")
        return redirect("desk:access")
    try:
        decline_access_request(access_request, by=request.user, reason=form.cleaned_data["reason"])
    except AccessRequestError as error:
        messages.error(request, f"{access_request.name}: {error.message}")
    else:
        messages.success(
            request, _("Declined: %(name)s was told the reason.") % {"name": access_request.name}
        )
    return redirect("desk:access")
