"""Phone intake (R7): the agent finds the caller and the device, then opens the ticket."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.text import clean_line
from santacare.core.time import helsinki, now
from santacare.customers.models import Contact
from santacare.installbase.entitlement import Entitlement, entitlement
from santacare.installbase.models import Device
from santacare.telephony.models import Call
from santacare.tickets.models import Priority, Ticket

from ..forms import PhoneIntakeForm
from ..lookup import find_callers
from ..services import PhoneCall, open_phone_ticket
from .workspace import desk_ticket_or_404

DEVICE_LIST_LIMIT = 50
OPEN_TICKET_LIMIT = 5


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    entitlement: Entitlement


def _rows(devices, *, today) -> list[DeviceRow]:
    return [DeviceRow(device, entitlement(device, on=today)) for device in devices]


def _pick(objects, value: str | None):
    """The picked row, or None for a missing or malformed id (a tampered URL is no error)."""
    if not value or not value.isdigit() or len(value) > 18:
        return None
    return objects.filter(pk=value).first()


def _selection(request: AuthenticatedRequest, params) -> dict:
    """What the agent has picked so far: the caller, the device, or both."""
    today = helsinki(now()).date()
    contact = _pick(Contact.objects.select_related("customer"), params.get("contact"))
    device = _pick(
        Device.objects.select_related(
            "vendor", "customer", "site", "contract", "contract__service_level"
        ),
        params.get("device"),
    )
    call = _pick(Call.objects.all(), params.get("call"))
    mismatch = bool(contact and device and device.customer_id != contact.customer_id)
    if mismatch:
        device = None
    customer = (contact or device).customer if (contact or device) else None
    context = {
        "contact": contact,
        "device": device,
        "call": call,
        "device_row": _rows([device], today=today)[0] if device else None,
        "customer": customer,
        "mismatch": mismatch,
        "today": today,
    }
    if customer and not device:
        devices = customer.devices.select_related(
            "vendor", "site", "contract", "contract__service_level"
        ).order_by("serial_number")[:DEVICE_LIST_LIMIT]
        context["customer_devices"] = _rows(devices, today=today)
    if customer and not contact:
        context["customer_contacts"] = list(
            customer.contacts.filter(is_active=True).order_by("-is_technical", "name")
        )
    if customer:
        context.update(_open_tickets(customer, device=device, contact=contact))
        context["sdm"] = customer.service_delivery_manager
    return context


def _open_tickets(customer, *, device: Device | None, contact: Contact | None) -> dict:
    """The device's own open tickets first, so the agent adds the call to one of them instead of
    opening a duplicate; then the caller's other open tickets. One query for both lists."""
    tickets = list(
        Ticket.objects.filter(customer=customer, status__in=Ticket.OPEN_STATUSES)
        .filter(Q(device=device) | Q(contact=contact) if (device or contact) else Q())
        .order_by("-received_at")[: OPEN_TICKET_LIMIT * 2]
    )
    on_device = [t for t in tickets if device is not None and t.device_id == device.pk]
    others = [t for t in tickets if t not in on_device]
    return {
        "device_tickets": on_device[:OPEN_TICKET_LIMIT],
        "open_tickets": others[:OPEN_TICKET_LIMIT],
    }


def _initial_for(selection: dict) -> dict:
    contact, device = selection["contact"], selection["device"]
    initial = {
        "contact": contact.pk if contact else None,
        "device": device.pk if device else None,
        "call": selection["call"].pk if selection["call"] else None,
    }
    if device and device.site:
        initial["delivery_address"] = device.site.delivery_address
    if contact:
        initial["delivery_contact"] = f"{contact.name}, {contact.phone}".strip(", ")
    return initial


@require_http_methods(["GET", "POST"])
@agent_required
def phone_intake(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = PhoneIntakeForm(request.POST)
        selection = _selection(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            result = open_phone_ticket(
                PhoneCall(
                    contact=data["contact"],
                    device=data["device"],
                    subject=data["subject"],
                    description=data["description"],
                    priority=Priority(data["priority"]),
                    hardware_fault=data["hardware_fault"],
                    delivery_address=data["delivery_address"],
                    delivery_contact=data["delivery_contact"],
                    add_as_technical_contact=data["add_as_technical_contact"],
                    confirmed_by=data["confirmed_by"],
                    out_of_contract=data["out_of_contract"],
                    call=data["call"],
                ),
                agent=request.user,
            )
            if result.ticket is not None:
                return redirect("desk:phone_opened", tracking_number=result.ticket.tracking_number)
            selection["refusal"] = result.explanation()
    else:
        selection = _selection(request, request.GET)
        form = PhoneIntakeForm(initial=_initial_for(selection))
    context = {
        **selection,
        "desk_section": "phone",
        "NOC_PHONE": settings.NOC_PHONE,
        "NOC_EMAIL": settings.NOC_EMAIL,
        "ALLOW_OUT_OF_CONTRACT": settings.ALLOW_OUT_OF_CONTRACT,
        "form": form,
        "q": clean_line(request.GET.get("q", ""), max_length=200),
        "matches": find_callers(request.GET.get("q", "")),
    }
    template = "desk/phone.html"
    if request.htmx and request.htmx.target == "intake":
        template += "#intake"
    return render(request, template, context)


@require_GET
@agent_required
def phone_lookup(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    context = {
        "q": clean_line(query, max_length=200),
        "call": _pick(Call.objects.all(), request.GET.get("call")),
        "matches": find_callers(query),
        "today": helsinki(now()).date(),
    }
    return render(request, "desk/phone.html#results", context)


@require_GET
@agent_required
def phone_opened(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
    return render(request, "desk/phone_opened.html", {"ticket": ticket})
