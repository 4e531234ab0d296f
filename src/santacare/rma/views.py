"""RMA pages: the agents' list, overdue queue, report and RMA workspace; the customer's
"I have sent it back". Thin: each view validates the input's shape, calls one service and
renders the outcome."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.paging import query_with
from santacare.core.time import helsinki, now
from santacare.customers.access import current_contact
from santacare.installbase.models import Device
from santacare.tickets.models import Event, Ticket
from santacare.tickets.tracking import ticket_by_tracking_number

from . import forms, services
from .errors import RmaError
from .models import Rma
from .queries import (
    days_overdue,
    desk_rmas,
    device_history,
    is_overdue,
    overdue_returns,
    rma_for_contact,
    rmas_for_ticket,
    vendor_month_report,
)


def _today() -> date:
    return helsinki(now()).date()


@require_GET
@agent_required
def rma_list(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = desk_rmas(
        status=data.get("status") or "",
        vendor_id=data["vendor"].pk if data.get("vendor") else None,
        customer_query=data.get("customer") or "",
        serial=data.get("serial") or "",
        overdue_on=_today() if data.get("overdue") else None,
        after=request.GET.get("after", ""),
    )
    return render(
        request,
        "rma/list.html",
        {
            "form": form,
            "rmas": page.items,
            "next_query": query_with(request.GET, after=page.next_cursor),
            "previous_query": query_with(request.GET, after=page.previous_cursor),
            "today": _today(),
            "section": "list",
        },
    )


@require_GET
@agent_required
def overdue(request: AuthenticatedRequest) -> HttpResponse:
    today = _today()
    page = overdue_returns(today=today, after=request.GET.get("after", ""))
    return render(
        request,
        "rma/overdue.html",
        {
            "rows": [(rma, days_overdue(rma, today=today)) for rma in page.items],
            "next_query": query_with(request.GET, after=page.next_cursor),
            "previous_query": query_with(request.GET, after=page.previous_cursor),
            "today": today,
            "section": "overdue",
        },
    )


@require_GET
@agent_required
def report(request: AuthenticatedRequest) -> HttpResponse:
    today = _today()
    form = forms.ReportForm(request.GET or {"year": today.year})
    year = form.cleaned_data["year"] if form.is_valid() else today.year
    rows = vendor_month_report(start=date(year, 1, 1), end=date(year + 1, 1, 1), today=today)
    return render(
        request,
        "rma/report.html",
        {"form": form, "rows": rows, "year": year, "section": "report"},
    )


def _agent_ticket(tracking_number: str) -> Ticket:
    ticket = ticket_by_tracking_number(
        tracking_number,
        scope=Ticket.objects.select_related("customer", "device__vendor", "contact"),
    )
    if ticket is None:
        raise Http404
    return ticket


def _add_error(form: Any, error: RmaError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@agent_required
def create(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = _agent_ticket(tracking_number)
    device = ticket.device
    initial = {
        "part_description": ticket.device_type,
        "vendor": device.vendor if device else None,
        "failed_serial": device.serial_number if device else ticket.serial_number,
    }
    form = forms.OpenRmaForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rma = services.open_rma(ticket, by=request.user, **form.cleaned_data)
            except RmaError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("RMA opened."))
                return redirect("rma:detail", pk=rma.pk)
        status = 400
    return render(
        request,
        "rma/create.html",
        {
            "ticket": ticket,
            "form": form,
            "existing": rmas_for_ticket(ticket),
            "section": "list",
        },
        status=status,
    )


# What an agent may do in each state, with the form that asks for it and the service it calls.
ACTIONS: dict[str, tuple[type, Callable[..., Rma], tuple[str, ...]]] = {
    "ship": (forms.ShipForm, services.mark_shipped, (Rma.Status.REQUESTED,)),
    "deliver": (forms.DeliverForm, services.mark_delivered, (Rma.Status.SHIPPED,)),
    "vendor_rma_number": (
        forms.VendorRmaNumberForm,
        services.set_vendor_rma_number,
        (Rma.Status.REQUESTED, Rma.Status.SHIPPED, Rma.Status.DELIVERED),
    ),
    "sent_back": (forms.ReturnOnBehalfForm, services.confirm_return, Rma.AWAITING_RETURN),
    "received": (
        forms.ReceivedForm,
        services.mark_received_by_vendor,
        (Rma.Status.RETURNED, *Rma.AWAITING_RETURN),
    ),
    "close": (forms.CloseForm, services.close_rma, (Rma.Status.RECEIVED,)),
    "cancel": (forms.CancelForm, services.cancel_rma, (Rma.Status.REQUESTED, Rma.Status.SHIPPED)),
}


ACTION_TITLES = {
    "ship": gettext_lazy("Mark shipped"),
    "deliver": gettext_lazy("Mark delivered"),
    "vendor_rma_number": gettext_lazy("Vendor's RMA number"),
    "sent_back": gettext_lazy("Record the return for the customer"),
    "received": gettext_lazy("Mark received by vendor"),
    "close": gettext_lazy("Close the RMA"),
    "cancel": gettext_lazy("Cancel the RMA"),
}

SAVE = gettext_lazy("Save")


def _detail_context(rma: Rma, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    initial = {
        "ship": {"replacement_serial": rma.replacement_serial},
        "vendor_rma_number": {"vendor_rma_number": rma.vendor_rma_number},
    }
    action_forms = [
        {
            "name": name,
            "title": ACTION_TITLES[name],
            "button": SAVE if name == "vendor_rma_number" else ACTION_TITLES[name],
            "form": bound.get(name) or form_class(initial=initial.get(name), prefix=name),
        }
        for name, (form_class, _service, statuses) in ACTIONS.items()
        if rma.status in statuses
    ]
    labels = dict(Rma.Status.choices)
    events = [
        {
            "at": event.created_at,
            "old": labels.get(event.data.get("old"), ""),
            "new": labels.get(event.data.get("new"), event.data.get("new")),
            "by": event.actor_label,
        }
        for event in Event.objects.filter(
            ticket=rma.ticket, kind=Event.Kind.RMA_CHANGED, data__rma=rma.pk
        )
    ]
    return {
        "rma": rma,
        "ticket": rma.ticket,
        "action_forms": action_forms,
        "events": events,
        "swap": getattr(rma, "swap", None),
        "reminders": rma.reminders.all(),
        "overdue": is_overdue(rma, today=_today()),
        "today": _today(),
        "section": "list",
    }


def _agent_rma(pk: int) -> Rma:
    return get_object_or_404(
        Rma.objects.select_related("ticket__customer", "vendor", "device", "opened_by", "swap"),
        pk=pk,
    )


@require_GET
@agent_required
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render(request, "rma/detail.html", _detail_context(_agent_rma(pk)))


@require_POST
@agent_required
def action(request: AuthenticatedRequest, pk: int, name: str) -> HttpResponse:
    if name not in ACTIONS:
        raise Http404
    rma = _agent_rma(pk)
    form_class, service, _statuses = ACTIONS[name]
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        values = {key: value for key, value in form.cleaned_data.items() if value is not None}
        try:
            service(rma, by=request.user, **values)
        except RmaError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, _("RMA updated: %(status)s.") % {"status": rma.get_status_display()}
            )
            return redirect("rma:detail", pk=rma.pk)
    context = _detail_context(_agent_rma(pk), bound={name: form})
    if name not in {item["name"] for item in context["action_forms"]}:
        # The RMA moved on meanwhile (another agent): say so instead of hiding the error.
        context["stale_error"] = form.errors.get("__all__") or form.errors
    return render(request, "rma/detail.html", context, status=400)


@require_GET
@agent_required
def device_swaps(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Device.objects.select_related("customer", "contract"), pk=pk)
    return render(
        request,
        "rma/device_history.html",
        {"device": device, "swaps": device_history(device), "section": "list"},
    )


def _customer_ticket(request: AuthenticatedRequest, tracking_number: str) -> Ticket:
    """The ticket, if the user is a technical contact of its customer; 404 otherwise, so a
    stranger learns nothing about whether it exists."""
    contact = current_contact(request.user)
    if contact is None:
        raise Http404
    ticket = ticket_by_tracking_number(
        tracking_number, scope=Ticket.objects.filter(customer_id=contact.customer_id)
    )
    if ticket is None:
        raise Http404
    return ticket


@require_GET
@login_required
def customer_ticket(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = _customer_ticket(request, tracking_number)
    return render(
        request,
        "rma/customer_ticket.html",
        {"ticket": ticket, "rmas": rmas_for_ticket(ticket)},
    )


@require_POST
@login_required
def confirm_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = current_contact(request.user)
    rma = rma_for_contact(contact, pk) if contact else None
    if rma is None:
        raise Http404
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("rma:customer_ticket", args=[rma.ticket.tracking_number])
    form = forms.ConfirmReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the courier's tracking code of the return shipment."))
        return redirect(next_url)
    try:
        services.confirm_return(
            rma, by_contact=contact, courier_code=form.cleaned_data["courier_code"]
        )
    except RmaError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Thank you: the return of %(serial)s is recorded.") % {"serial": rma.failed_serial},
        )
    return redirect(next_url)
