"""The customer portal: thin views over the intake service and the customer-scoped queries.

Every view that shows company data starts from `request.contact` (set by `contact_required`)
and the scoped queries of `santacare.tickets.queries`; another company's things are 404.
"""

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.signing import BadSignature, Signer
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from santacare.accounts.adapters import remember_language
from santacare.core.time import helsinki, now
from santacare.customers import services as access
from santacare.customers.models import Contact
from santacare.installbase.entitlement import Entitlement, entitlement
from santacare.installbase.models import Device
from santacare.installbase.queries import device_by_serial, devices_for_customer
from santacare.rma.queries import replacement_delivery, rmas_for_ticket
from santacare.sla.clocks import ticket_clocks
from santacare.tickets import queries
from santacare.tickets.attachments import (
    attachment_response,
    max_attachment_bytes,
    store_attachment,
)
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Priority, RequiredItem, Ticket
from santacare.tickets.outcomes import Outcome
from santacare.tickets.rules import phone_only_reason
from santacare.tickets.services import change_status

from .forms import AccessRequestForm, NewTicketForm, ReplyForm, SerialSearchForm

PAGE_SIZE = 25
# Page cursors travel in the URL; signing them keeps a hand-edited cursor a clean 404.
_cursor_signer = Signer(salt="santacare.portal.cursor")


def contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only a company's technical contacts use the portal; agents go to the desk (R11)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_agent:
            return redirect("/desk/")
        contact = (
            Contact.objects.select_related("customer", "customer__service_delivery_manager")
            .filter(user=request.user)
            .first()
        )
        if contact is None or not contact.may_open_tickets:
            raise PermissionDenied(_("The portal is for the technical contacts of our customers."))
        request.contact = contact
        return view(request, *args, **kwargs)

    return wrapper


def _company_device_or_404(contact: Contact, serial_number: str) -> Device:
    device = device_by_serial(serial_number, customer=contact.customer)
    if device is None:
        raise Http404("No such device.")
    return device


def _encode_cursor(key: tuple) -> str:
    return _cursor_signer.sign_object([str(part) for part in key])


def _decode_cursor(value: str) -> list[str] | None:
    if not value:
        return None
    try:
        return _cursor_signer.unsign_object(value)
    except BadSignature as error:
        raise Http404("Bad page cursor.") from error


@require_GET
@contact_required
def overview(request: HttpRequest) -> HttpResponse:
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
def device_list(request: HttpRequest) -> HttpResponse:
    contact = request.contact
    search = request.GET.get("q", "").strip()[:100]
    devices = devices_for_customer(contact.customer).order_by("serial_number")
    if search:
        devices = devices.filter(
            Q(serial_number__icontains=search)
            | Q(device_type__icontains=search)
            | Q(vendor__name__icontains=search)
            | Q(site__name__icontains=search)
            | Q(site__city__icontains=search)
            | Q(contract__number__icontains=search)
        )
    cursor = _decode_cursor(request.GET.get("after", ""))
    if cursor:
        devices = devices.filter(serial_number__gt=cursor[0])
    rows = list(devices[: PAGE_SIZE + 1])
    next_url = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        params = {"after": _encode_cursor((rows[-1].serial_number,))}
        if search:
            params["q"] = search
        next_url = f"?{urlencode(params)}"
    today = helsinki(now()).date()
    items = [(device, entitlement(device, on=today)) for device in rows]
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
def find_device(request: HttpRequest) -> HttpResponse:
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
def new_ticket(request: HttpRequest, serial_number: str) -> HttpResponse:
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

    form = NewTicketForm(request.POST or None, initial=_prefilled(contact, device))
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
                    subject=data["subject"],
                    description=data["description"],
                    priority=Priority(data["priority"]),
                    hardware_fault=data["hardware_fault"],
                    delivery_address=data["delivery_address"] if data["hardware_fault"] else "",
                    delivery_contact=data["delivery_contact"] if data["hardware_fault"] else "",
                )
            )
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
def phone_check(request: HttpRequest, serial_number: str) -> HttpResponse:
    """htmx: the R8 phone notice for the priority just chosen, before anything is sent."""
    device = _company_device_or_404(request.contact, serial_number)
    reason = _phone_only(device, priority=request.GET.get("priority"))
    return render(request, "portal/_phone_notice.html", {"phone_only": reason})


def _phone_only(device, *, priority: str | None) -> str | None:
    """R8 while the form is still being filled; intake decides for good when it is sent."""
    level = device.contract.service_level if device.contract else None
    return phone_only_reason(priority=priority, service_level=level, at=now())


@require_GET
@contact_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    contact = request.contact
    scope = request.GET.get("scope", "company")
    status = request.GET.get("status", queries.StatusFilter.OPEN)
    if status not in (
        queries.StatusFilter.OPEN,
        queries.StatusFilter.DONE,
        queries.StatusFilter.ALL,
    ):
        status = queries.StatusFilter.OPEN
    search = request.GET.get("q", "").strip()[:100]
    tickets = queries.tickets_for_contact(
        contact, mine=scope == "mine", status=status, search=search
    )
    after = None
    cursor = _decode_cursor(request.GET.get("after", ""))
    if cursor:
        try:
            after = (datetime.fromisoformat(cursor[0]), int(cursor[1]))
        except (ValueError, IndexError) as error:
            raise Http404("Bad page cursor.") from error
    rows, next_key = queries.page_of_tickets(tickets, after=after, size=PAGE_SIZE)
    next_url = None
    if next_key:
        params = {"scope": scope, "status": status, "after": _encode_cursor(next_key)}
        if search:
            params["q"] = search
        next_url = f"?{urlencode(params)}"
    template = "portal/_ticket_rows.html" if request.htmx else "portal/tickets.html"
    return render(
        request,
        template,
        {
            "contact": contact,
            "tickets": rows,
            "scope": scope,
            "status": status,
            "search": search,
            "next_url": next_url,
            "nav": "tickets",
            "statuses": [
                (queries.StatusFilter.OPEN, _("Open")),
                (queries.StatusFilter.DONE, _("Resolved and closed")),
                (queries.StatusFilter.ALL, _("All")),
            ],
        },
    )


def _ticket_page(request: HttpRequest, ticket: Ticket, reply_form: ReplyForm) -> HttpResponse:
    return render(
        request,
        "portal/ticket.html",
        {
            "contact": request.contact,
            "ticket": ticket,
            "conversation": queries.public_messages(ticket),
            "reply_form": reply_form,
            "clocks": ticket_clocks(ticket, now=now(), replacement=replacement_delivery(ticket)),
            "rmas": rmas_for_ticket(ticket),
            "missing": [RequiredItem(item).label for item in ticket.missing_information],
            "nav": "tickets",
            "can_close": ticket.is_open,
            "can_reopen": ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED),
        },
        status=400 if reply_form.errors else 200,
    )


@require_GET
@contact_required
def ticket_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = queries.ticket_for_contact_or_404(request.contact, tracking_number)
    if ticket.merged_into_id:
        merged = queries.ticket_for_contact_or_404(
            request.contact, ticket.merged_into.tracking_number
        )
        return redirect("portal:ticket", tracking_number=merged.tracking_number)
    return _ticket_page(request, ticket, ReplyForm())


@require_POST
@contact_required
def reply(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """R4: a portal reply joins the same thread as the customer's email."""
    ticket = queries.ticket_for_contact_or_404(request.contact, tracking_number)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _ticket_page(request, ticket, form)
    result = add_message(
        ticket,
        body=form.cleaned_data["body"],
        channel=Channel.PORTAL,
        author_contact=request.contact,
    )
    if result.outcome != Outcome.APPENDED:
        form.add_error(None, result.explanation())
        return _ticket_page(request, ticket, form)
    rejected = _store_files(result.message, form.cleaned_data["files"])
    for name, reason in rejected:
        messages.error(
            request,
            _("The file %(name)s was not attached: %(reason)s") % {"name": name, "reason": reason},
        )
    messages.success(request, result.explanation())
    return redirect("portal:ticket", tracking_number=ticket.tracking_number)


def _store_files(message, files) -> list[tuple[str, str]]:
    """Store uploads through the attachment service; returns (name, reason) of refused ones."""
    if not files:
        return []
    limit = max_attachment_bytes()
    too_large = _("the file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}
    rejected = []
    for upload in files:
        # Checked before reading: an oversized upload is never pulled into memory.
        if upload.size > limit:
            rejected.append((upload.name, too_large))
            continue
        store_attachment(
            message,
            filename=upload.name,
            content_type=upload.content_type or "application/octet-stream",
            data=upload.read(),
        )
    return rejected


@require_POST
@contact_required
def set_status(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = queries.ticket_for_contact_or_404(request.contact, tracking_number)
    action = request.POST.get("action")
    target = {"close": Ticket.Status.CLOSED, "reopen": Ticket.Status.IN_PROGRESS}.get(action)
    if target is None:
        return HttpResponse(_("Unknown action."), status=400)
    try:
        change_status(ticket, status=target, by_contact=request.contact)
    except PermissionDenied:
        messages.error(request, _("This ticket cannot be changed that way now."))
    else:
        text = _("The ticket was closed.") if action == "close" else _("The ticket was reopened.")
        messages.success(request, text)
    return redirect("portal:ticket", tracking_number=ticket.tracking_number)


@require_GET
@contact_required
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = queries.attachment_for_contact_or_404(request.contact, attachment_id)
    return attachment_response(attachment)


@require_http_methods(["GET", "POST"])
def request_access(request: HttpRequest) -> HttpResponse:
    """R11: anyone may ask; only technical contacts on record (or approved by an agent) get in."""
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(
            request, action="portal_access_request", key=form.cleaned_data["email"]
        ):
            return render(request, "portal/access_rate_limited.html", status=429)
        result = access.request_portal_access(
            **form.cleaned_data,
            language=request.LANGUAGE_CODE,
            verify_url=lambda token: request.build_absolute_uri(
                reverse("portal:verify_access", args=[token])
            ),
        )
        return render(request, "portal/access_requested.html", {"result": result})
    return render(request, "portal/request_access.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify_access(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification mail: the person chooses a password and is in."""
    access_request = access.access_request_for_token(token)
    if access_request is None:
        return render(request, "portal/access_link_invalid.html", status=404)
    form = access.activation_form(access_request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = access.activate_account(access_request, password=form.cleaned_data["new_password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your portal account is ready."))
        response = redirect("portal:overview")
        remember_language(request, response, language=access_request.contact.language)
        return response
    return render(
        request, "portal/verify_access.html", {"form": form, "access_request": access_request}
    )
