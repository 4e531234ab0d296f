"""The portal's front page and the company's install base: from a device to a new ticket (R3)."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from santacare.core.paging import keyset_page, query_with
from santacare.core.text import search_text
from santacare.core.time import helsinki, now
from santacare.customers.access import ContactRequest, contact_required
from santacare.customers.models import Contact
from santacare.installbase.entitlement import Entitlement, entitlement
from santacare.installbase.models import Device
from santacare.installbase.queries import device_by_serial, devices_for_customer
from santacare.tickets import queries
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Priority
from santacare.tickets.outcomes import Outcome
from santacare.tickets.rules import phone_only_reason

from ..forms import NewTicketForm, SerialSearchForm
from .tickets import attach_uploads

PAGE_SIZE = 25


def _company_device_or_404(contact: Contact, serial_number: str) -> Device:
    device = device_by_serial(serial_number, customer=contact.customer)
    if device is None:
        raise Http404("No such device.")
    return device


@require_GET
@contact_required
def overview(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    open_tickets = queries.tickets_for_contact(contact, status=queries.StatusFilter.OPEN)
    return render(
        request,
        "portal/overview.html",
        {
            "contact": contact,
            "open_tickets": open_tickets[:10],
            "open_count": open_tickets.count(),
            "search_form": SerialSearchForm(),
            "nav": "overview",
        },
    )


@require_GET
@contact_required
def device_list(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    search = search_text(request.GET.get("q"), max_length=100)
    devices = devices_for_customer(contact.customer)
    if search:
        devices = devices.filter(
            Q(serial_number__icontains=search)
            | Q(device_type__icontains=search)
            | Q(vendor__name__icontains=search)
            | Q(site__name__icontains=search)
            | Q(site__city__icontains=search)
            | Q(contract__number__icontains=search)
        )
    page = keyset_page(
        devices,
        order=("serial_number", "id"),
        size=PAGE_SIZE,
        cursor=request.GET.get("after", ""),
        salt="portal.devices",
    )
    next_url = f"?{query_with(request.GET, after=page.next_cursor)}" if page.next_cursor else None
    today = helsinki(now()).date()
    items = [(device, entitlement(device, on=today)) for device in page.items]
    template = "portal/_device_rows.html" if request.htmx else "portal/devices.html"
    return render(
        request,
        template,
        {
            "contact": contact,
            "items": items,
            "search": search,
            "next_url": next_url,
            "nav": "devices",
        },
    )


@require_GET
@contact_required
def find_device(request: ContactRequest) -> HttpResponse:
    """Open a ticket without picking a device first: the serial number leads to the form."""
    form = SerialSearchForm(request.GET or None)
    if form.is_valid():
        device = device_by_serial(
            form.cleaned_data["serial_number"], customer=request.contact.customer
        )
        if device is not None:
            return redirect("portal:new_ticket", serial_number=device.serial_number)
        # Another company's serial gets the same answer as an unknown one.
        form.add_error(
            "serial_number",
            _("No device with this serial number in your company's install base."),
        )
    return render(request, "portal/find_device.html", {"form": form, "nav": "tickets"})


def _prefilled(contact: Contact, device: Device) -> dict:
    delivery_contact = ", ".join(part for part in (contact.name, contact.phone) if part)
    return {
        "serial_number": device.serial_number,
        "priority": Priority.P3,
        "delivery_address": device.site.delivery_address if device.site else "",
        "delivery_contact": delivery_contact,
    }


@require_http_methods(["GET", "POST"])
@contact_required
def new_ticket(request: ContactRequest, serial_number: str) -> HttpResponse:
    contact = request.contact
    device = _company_device_or_404(contact, serial_number)
    status = entitlement(device, on=helsinki(now()).date())
    context = {
        "contact": contact,
        "device": device,
        "entitlement": status,
        "nav": "devices",
        "NOC_PHONE": settings.NOC_PHONE,
        "NOC_EMAIL": settings.NOC_EMAIL,
    }
    if status != Entitlement.COVERED:
        # R10: Managed Services devices get the NOC's instructions instead of a form; R1: a
        # device without a valid contract gets the explanation and whom to ask.
        return render(request, "portal/device_not_served.html", context)

    if request.method == "POST":
        # A bound form shows what was sent; the pre-filled values (which read the site's
        # customer) are only for the empty form.
        form = NewTicketForm(request.POST, request.FILES)
    else:
        form = NewTicketForm(initial=_prefilled(contact, device))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["serial_number"].strip().upper() != device.serial_number:
            form.add_error(None, _("The form was changed outside the portal; nothing was sent."))
        else:
            result = open_ticket(
                TicketRequest(
                    channel=Channel.PORTAL,
                    contact=contact,
                    serial_number=device.serial_number,
                    # Found above in the contact's install base: intake need not look again.
                    device=device,
                    subject=data["subject"],
                    description=data["description"],
                    priority=Priority(data["priority"]),
                    hardware_fault=data["hardware_fault"],
                    delivery_address=data["delivery_address"] if data["hardware_fault"] else "",
                    delivery_contact=data["delivery_contact"] if data["hardware_fault"] else "",
                )
            )
            if result.message is not None:
                attach_uploads(request, result.message, data["files"])
            if result.outcome in (Outcome.CREATED, Outcome.INFO_REQUESTED):
                messages.success(request, result.explanation())
                return redirect("portal:ticket", tracking_number=result.tracking_number)
            if result.outcome == Outcome.MUST_CALL:
                # R8: the request is saved and flagged; the page shows the number to call and
                # what was typed, so nothing is lost while the customer phones.
                return render(
                    request,
                    "portal/must_call.html",
                    {**context, "result": result, "ticket": result.ticket},
                )
            form.add_error(None, result.explanation())
    context.update(
        form=form,
        phone_only=_phone_only(device, priority=form["priority"].value()),
    )
    return render(request, "portal/new_ticket.html", context)


@require_GET
@contact_required
def phone_check(request: ContactRequest, serial_number: str) -> HttpResponse:
    """htmx: the R8 phone notice for the priority just chosen, before anything is sent."""
    device = _company_device_or_404(request.contact, serial_number)
    reason = _phone_only(device, priority=request.GET.get("priority"))
    return render(request, "portal/_phone_notice.html", {"phone_only": reason})


def _phone_only(device, *, priority: str | None) -> str | None:
    """R8 while the form is still being filled; intake decides for good when it is sent."""
    level = device.contract.service_level if device.contract else None
    return phone_only_reason(priority=priority, service_level=level, at=now())
