"""The ticket workspace: the conversation, the controls, merge and link. Thin: services decide."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.time import helsinki, now
from santacare.installbase.entitlement import entitlement
from santacare.outbox.queries import mail_of_ticket
from santacare.rma.queries import replacement_delivery, rmas_for_ticket
from santacare.sla.clocks import ticket_clocks
from santacare.tickets.attachments import (
    attachment_response,
    max_attachment_bytes,
    store_attachment,
)
from santacare.tickets.conversation import add_message
from santacare.tickets.models import Attachment, Channel, Ticket
from santacare.tickets.outcomes import Outcome
from santacare.tickets.queries import desk_conversation
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
from santacare.tickets.tracking import ticket_by_tracking_number

from ..forms import AssigneeForm, OtherTicketForm, PriorityForm, ReplyForm, StatusForm


def desk_ticket_or_404(tracking_number: str, *, related: bool = False) -> Ticket:
    """Any customer's ticket: the desk's scope is every ticket."""
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
    ticket = ticket_by_tracking_number(tracking_number, scope=tickets)
    if ticket is None:
        raise Http404
    return ticket


def _workspace_context(ticket: Ticket) -> dict:
    today = helsinki(now()).date()
    return {
        "ticket": ticket,
        "conversation": desk_conversation(ticket),
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
def ticket_workspace(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number, related=True)
    return render(request, "desk/ticket.html", _workspace_context(ticket))


def _after_change(request: AuthenticatedRequest, ticket: Ticket) -> HttpResponse:
    """htmx gets the controls and (out of band) the event log; a plain form gets a redirect."""
    if not request.htmx:
        return redirect("desk:ticket", tracking_number=ticket.tracking_number)
    ticket = desk_ticket_or_404(ticket.tracking_number, related=True)
    context = {"ticket": ticket, "events": ticket.events.order_by("created_at", "id")}
    context.update(_control_forms(ticket))
    controls = render_to_string("desk/ticket.html#controls", context, request=request)
    log = render_to_string("desk/ticket.html#events", {**context, "oob": True}, request=request)
    return HttpResponse(controls + log)


def _invalid(request: AuthenticatedRequest, ticket: Ticket, text: str) -> HttpResponse:
    if request.htmx:
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    messages.error(request, text)
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)


@require_POST
@agent_required
def ticket_status(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, _("Choose a status from the list."))
    change_status(ticket, status=form.cleaned_data["status"], by=request.user)
    return _after_change(request, ticket)


@require_POST
@agent_required
def ticket_priority(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, _("Choose a priority from the list."))
    change_priority(ticket, priority=form.cleaned_data["priority"], by=request.user)
    return _after_change(request, ticket)


@require_POST
@agent_required
def ticket_assign(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
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
def ticket_called(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
    record_phone_call(ticket, by=request.user)
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)


@require_POST
@agent_required
def ticket_reply(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
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
            channel=Channel.DESK,
            author_user=request.user,
            internal=form.cleaned_data["internal"],
        )
        if result.outcome != Outcome.APPENDED or result.message is None:
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
def attachment(request: AuthenticatedRequest, attachment_id: int) -> HttpResponse:
    """Agents see every customer's files (R2 desk role); served as a download only."""
    return attachment_response(get_object_or_404(Attachment, pk=attachment_id))


def _other_ticket(request: AuthenticatedRequest) -> Ticket | None:
    form = OtherTicketForm(request.POST)
    if not form.is_valid():
        return None
    return ticket_by_tracking_number(
        form.cleaned_data["tracking_number"], scope=Ticket.objects.all()
    )


@require_POST
@agent_required
def ticket_merge(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
    target = _other_ticket(request)
    if target is None:
        return _invalid(request, ticket, _("No ticket has that tracking number."))
    try:
        merge_tickets(ticket, into=target, by=request.user)
    except TicketChangeError as error:
        return _invalid(request, ticket, error.message)
    messages.success(
        request,
        _("%(duplicate)s was merged into this ticket and closed.")
        % {"duplicate": ticket.tracking_number},
    )
    return redirect("desk:ticket", tracking_number=target.tracking_number)


@require_POST
@agent_required
def ticket_link(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
    other = _other_ticket(request)
    if other is None:
        return _invalid(request, ticket, _("No ticket has that tracking number."))
    try:
        link_tickets(ticket, other=other, by=request.user)
    except TicketChangeError as error:
        return _invalid(request, ticket, error.message)
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)


@require_POST
@agent_required
def ticket_unlink(request: AuthenticatedRequest, tracking_number: str, other: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
    unlink_tickets(ticket, other=desk_ticket_or_404(other), by=request.user)
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)
