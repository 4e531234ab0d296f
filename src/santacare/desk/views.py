"""The agent desk: queues, phone intake (R7) and the ticket workspace. Thin: services decide."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from santacare.core.text import clean_line
from santacare.core.time import helsinki, now
from santacare.customers.models import Contact
from santacare.installbase.entitlement import Entitlement, entitlement
from santacare.installbase.models import Device
from santacare.mailgate.models import InboundMail
from santacare.mailgate.queries import mail_for_review
from santacare.mailgate.review import open_ticket_from_mail, release_held_mail
from santacare.outbox.queries import mail_of_ticket
from santacare.rma.queries import replacement_delivery, rmas_for_ticket
from santacare.sla.clocks import ticket_clocks
from santacare.tickets.attachments import (
    attachment_response,
    max_attachment_bytes,
    store_attachment,
)
from santacare.tickets.conversation import add_message
from santacare.tickets.models import Attachment, Channel, Message, Priority, Ticket
from santacare.tickets.outcomes import Outcome
from santacare.tickets.services import (
    TicketChangeError,
    assign_ticket,
    change_priority,
    change_status,
    link_tickets,
    merge_tickets,
    record_phone_call,
    unlink_tickets,
)
from santacare.tickets.tracking import parse_tracking_number

from .access import agent_required
from .forms import (
    AssigneeForm,
    OtherTicketForm,
    PhoneIntakeForm,
    PriorityForm,
    QueueFilterForm,
    ReplyForm,
    StatusForm,
)
from .lookup import find_callers
from .queues import Filters, Queue, filtered_tickets, queue_counts, risk_page, ticket_page
from .services import PhoneCall, open_phone_ticket

DEVICE_LIST_LIMIT = 50


# --- Queues -------------------------------------------------------------------------------------


@require_GET
@agent_required
def queue(request: HttpRequest) -> HttpResponse:
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
        page = ticket_page(tickets, after=data.get("after", ""))
    context = {
        "desk_section": "queue",
        "form": form,
        "filters": filters,
        "page": page,
        "queue_tabs": _queue_tabs(request),
        "next_query": _query_with(request, after=page.next_cursor) if page.next_cursor else "",
    }
    template = "desk/queue.html"
    if request.htmx and request.htmx.target == "ticket-list":
        template += "#ticket-list"
    return render(request, template, context)


def _queue_tabs(request: HttpRequest) -> list[tuple[str, str, int]]:
    counts = queue_counts(request.user)
    return [(name, label, counts[name]) for name, label in Queue.LABELS.items()]


def _query_with(request: HttpRequest, **changes: str) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


# --- Phone intake (R7) --------------------------------------------------------------------------


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


def _selection(request: HttpRequest, params) -> dict:
    """What the agent has picked so far: the caller, the device, or both."""
    today = helsinki(now()).date()
    contact = _pick(Contact.objects.select_related("customer"), params.get("contact"))
    device = _pick(
        Device.objects.select_related(
            "vendor", "customer", "site", "contract", "contract__service_level"
        ),
        params.get("device"),
    )
    mismatch = bool(contact and device and device.customer_id != contact.customer_id)
    if mismatch:
        device = None
    customer = (contact or device).customer if (contact or device) else None
    context = {
        "contact": contact,
        "device": device,
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
        context["open_tickets"] = list(
            Ticket.objects.filter(customer=customer, status__in=Ticket.OPEN_STATUSES)
            .filter(Q(device=device) | Q(contact=contact) if (device or contact) else Q())
            .order_by("-received_at")[:5]
        )
        context["sdm"] = customer.service_delivery_manager
    return context


def _initial_for(selection: dict) -> dict:
    contact, device = selection["contact"], selection["device"]
    initial = {"contact": contact.pk if contact else None, "device": device.pk if device else None}
    if device and device.site:
        initial["delivery_address"] = device.site.delivery_address
    if contact:
        initial["delivery_contact"] = f"{contact.name}, {contact.phone}".strip(", ")
    return initial


@require_http_methods(["GET", "POST"])
@agent_required
def phone_intake(request: HttpRequest) -> HttpResponse:
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
def phone_lookup(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    context = {
        "q": clean_line(query, max_length=200),
        "matches": find_callers(query),
        "today": helsinki(now()).date(),
    }
    return render(request, "desk/phone.html#results", context)


@require_GET
@agent_required
def phone_opened(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    return render(request, "desk/phone_opened.html", {"ticket": ticket})


# --- The ticket workspace -----------------------------------------------------------------------


def _ticket_or_404(tracking_number: str, *, related: bool = False) -> Ticket:
    canonical = parse_tracking_number(tracking_number)
    if canonical is None:
        raise Http404
    tickets = Ticket.objects.all()
    if related:
        tickets = tickets.select_related(
            "customer",
            "customer__service_delivery_manager",
            "contact",
            "device",
            "device__vendor",
            "device__site",
            "device__contract",
            "device__contract__service_level",
            "assignee",
            "opened_by",
            "merged_into",
            "service_level",
        )
    return get_object_or_404(tickets, tracking_number=canonical)


def _workspace_context(ticket: Ticket) -> dict:
    today = helsinki(now()).date()
    conversation = (
        Message.objects.filter(Q(ticket=ticket) | Q(ticket__merged_into=ticket))
        .select_related("ticket", "author_user", "author_contact")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return {
        "ticket": ticket,
        "conversation": conversation,
        "events": ticket.events.order_by("created_at", "id"),
        "related": ticket.related_tickets.order_by("-received_at"),
        "merged": ticket.merged_tickets.order_by("-received_at"),
        "device_entitlement": entitlement(ticket.device, on=today) if ticket.device else None,
        "clocks": ticket_clocks(ticket, now=now(), replacement=replacement_delivery(ticket)),
        "rmas": rmas_for_ticket(ticket),
        "outbound_mails": mail_of_ticket(ticket).only(
            "kind", "recipient", "subject", "state", "created_at", "sent_at", "last_error"
        ),
        "reply_form": ReplyForm(),
        "other_form": OtherTicketForm(),
        **_control_forms(ticket),
    }


def _control_forms(ticket: Ticket) -> dict:
    return {
        "status_form": StatusForm(initial={"status": ticket.status}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "assignee_form": AssigneeForm(initial={"assignee": ticket.assignee_id}),
    }


@require_GET
@agent_required
def ticket_workspace(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number, related=True)
    return render(request, "desk/ticket.html", _workspace_context(ticket))


def _after_change(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    """htmx gets the controls and (out of band) the event log; a plain form gets a redirect."""
    if not request.htmx:
        return redirect("desk:ticket", tracking_number=ticket.tracking_number)
    ticket = _ticket_or_404(ticket.tracking_number, related=True)
    context = {"ticket": ticket, "events": ticket.events.order_by("created_at", "id")}
    context.update(_control_forms(ticket))
    controls = render_to_string("desk/ticket.html#controls", context, request=request)
    log = render_to_string("desk/ticket.html#events", {**context, "oob": True}, request=request)
    return HttpResponse(controls + log)


def _invalid(request: HttpRequest, ticket: Ticket, text: str) -> HttpResponse:
    if request.htmx:
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    messages.error(request, text)
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)


@require_POST
@agent_required
def ticket_status(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, _("Choose a status from the list."))
    change_status(ticket, status=form.cleaned_data["status"], by=request.user)
    return _after_change(request, ticket)


@require_POST
@agent_required
def ticket_priority(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, _("Choose a priority from the list."))
    change_priority(ticket, priority=form.cleaned_data["priority"], by=request.user)
    return _after_change(request, ticket)


@require_POST
@agent_required
def ticket_assign(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    if "take" in request.POST:
        agent = request.user
    else:
        form = AssigneeForm(request.POST)
        if not form.is_valid():
            return _invalid(request, ticket, _("Choose an agent from the list."))
        agent = form.cleaned_data["assignee"]
    assign_ticket(ticket, agent=agent, by=request.user)
    return _after_change(request, ticket)


@require_POST
@agent_required
def ticket_called(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    record_phone_call(ticket, by=request.user)
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)


@require_POST
@agent_required
def ticket_reply(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, ticket, _("Write the message first."))
    upload = form.cleaned_data.get("attachment")
    if upload is not None and upload.size > max_attachment_bytes():
        return _invalid(request, ticket, _("The file is too large to attach."))
    with transaction.atomic():
        result = add_message(
            ticket,
            body=form.cleaned_data["body"],
            channel=Channel.PORTAL,
            author_user=request.user,
            internal=form.cleaned_data["internal"],
        )
        if result.outcome != Outcome.APPENDED:
            return _invalid(request, ticket, result.explanation())
        if upload is not None:
            store_attachment(
                result.message,
                filename=upload.name,
                content_type=upload.content_type or "",
                data=upload.read(),
            )
    if form.cleaned_data["internal"]:
        messages.success(request, _("Internal note saved. The customer does not see it."))
    else:
        messages.success(request, _("Reply sent to the customer."))
    return redirect(reverse("desk:ticket", args=[ticket.tracking_number]) + "#conversation")


@require_GET
@agent_required
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Agents see every customer's files (R2 desk role); served as a download only."""
    return attachment_response(get_object_or_404(Attachment, pk=attachment_id))


def _other_ticket(request: HttpRequest) -> Ticket | None:
    form = OtherTicketForm(request.POST)
    if not form.is_valid():
        return None
    canonical = parse_tracking_number(form.cleaned_data["tracking_number"])
    return Ticket.objects.filter(tracking_number=canonical).first() if canonical else None


@require_POST
@agent_required
def ticket_merge(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    target = _other_ticket(request)
    if target is None:
        return _invalid(request, ticket, _("No ticket has that tracking number."))
    try:
        merge_tickets(ticket, into=target, by=request.user)
    except TicketChangeError as error:
        return _invalid(request, ticket, _merge_error_text(error))
    messages.success(
        request,
        _("%(duplicate)s was merged into this ticket and closed.")
        % {"duplicate": ticket.tracking_number},
    )
    return redirect("desk:ticket", tracking_number=target.tracking_number)


def _merge_error_text(error: TicketChangeError) -> str:
    texts = {
        "A ticket cannot be merged into itself.": _("A ticket cannot be merged into itself."),
        "Only tickets of the same customer can be merged.": _(
            "Only tickets of the same customer can be merged."
        ),
    }
    return texts.get(str(error), _("The tickets cannot be merged: one of them is merged already."))


@require_POST
@agent_required
def ticket_link(request: HttpRequest, tracking_number: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    other = _other_ticket(request)
    if other is None:
        return _invalid(request, ticket, _("No ticket has that tracking number."))
    try:
        link_tickets(ticket, other=other, by=request.user)
    except TicketChangeError:
        return _invalid(request, ticket, _("A ticket cannot be linked to itself."))
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)


@require_POST
@agent_required
def ticket_unlink(request: HttpRequest, tracking_number: str, other: str) -> HttpResponse:
    ticket = _ticket_or_404(tracking_number)
    unlink_tickets(ticket, other=_ticket_or_404(other), by=request.user)
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)


# --- Held, quarantined and refused mail ---------------------------------------------------------

MAIL_LIST_LIMIT = 100


@require_GET
@agent_required
def mail_review(request: HttpRequest) -> HttpResponse:
    """Held and quarantined mail to review, and the mail refused lately, with the reasons."""
    refused = (
        InboundMail.objects.filter(outcome=InboundMail.Outcome.REFUSED, reviewed_at=None)
        .exclude(Q(is_held=True) | Q(is_quarantined=True))
        .select_related("ticket")
        .defer("raw")
        .order_by("-received_at", "-id")
    )
    context = {
        "to_review": mail_for_review()[:MAIL_LIST_LIMIT],
        "refused": refused[:MAIL_LIST_LIMIT],
        "desk_section": "mail",
    }
    return render(request, "desk/mail.html", context)


@require_POST
@agent_required
def mail_release(request: HttpRequest, mail_id: int) -> HttpResponse:
    mail = get_object_or_404(InboundMail, pk=mail_id)
    release_held_mail(mail, by=request.user)
    messages.success(request, _("The mail was released."))
    return redirect("desk:mail")


@require_POST
@agent_required
def mail_open_ticket(request: HttpRequest, mail_id: int) -> HttpResponse:
    mail = get_object_or_404(InboundMail, pk=mail_id)
    result = open_ticket_from_mail(mail, by=request.user)
    if result.ticket is None:
        messages.error(request, result.explanation())
        return redirect("desk:mail")
    return redirect("desk:ticket", tracking_number=result.ticket.tracking_number)
