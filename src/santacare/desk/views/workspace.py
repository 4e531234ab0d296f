"""The ticket workspace: the conversation, the controls, merge and link. Thin: services decide."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.time import helsinki, now
from santacare.installbase.entitlement import entitlement
from santacare.installbase.models import Device
from santacare.outbox.queries import mail_of_ticket
from santacare.rma.queries import replacement_of, rmas_for_ticket
from santacare.sla.clocks import ticket_clocks
from santacare.sla.history import CLOCK_EVENTS
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
    merge_refusal,
    merge_tickets,
    record_phone_call,
    unlink_tickets,
)
from santacare.tickets.tracking import ticket_by_tracking_number

from ..canned import canned_replies_for
from ..forms import AssigneeForm, Compose, OtherTicketForm, PriorityForm, ReplyForm, StatusForm
from ..presence import POLL_SECONDS, Viewer, saw_ticket


def desk_ticket_or_404(tracking_number: str, *, related: bool = False) -> Ticket:
    """Any customer's ticket: the desk's scope is every ticket."""
    tickets = Ticket.objects.all()
    if related:
        # The device and its contract in a second query: PostgreSQL took some 8 ms to plan one
        # join of thirteen tables, every time a ticket was opened, and 2 ms for the two.
        tickets = tickets.select_related(
            "customer",
            "customer__service_delivery_manager",
            "contact",
            "opened_by",
            "merged_into",
            "service_level",
        ).prefetch_related(
            Prefetch(
                "device",
                queryset=Device.objects.select_related("vendor", "site", "contract__service_level"),
            )
        )
    ticket = ticket_by_tracking_number(tracking_number, scope=tickets)
    if ticket is None:
        raise Http404
    return ticket


def _compose_initial(request: AuthenticatedRequest) -> str:
    # ?compose=reply opens the Reply composer (a link from phone intake, the `r` shortcut
    # without JavaScript); anything else opens the internal note, the safe default (R4).
    return Compose.REPLY if request.GET.get("compose") == Compose.REPLY else Compose.NOTE


def _workspace_context(
    request: AuthenticatedRequest, ticket: Ticket, viewers: list[Viewer]
) -> dict:
    today = helsinki(now()).date()
    conversation = list(desk_conversation(ticket))
    # The event log and the RMAs are read once for the page and for the clocks: the clocks
    # take the history from the ticket where sla.queries.with_history puts it.
    events = list(ticket.events.select_related("actor").order_by("created_at", "id"))
    setattr(ticket, CLOCK_EVENTS, events)
    rmas = rmas_for_ticket(ticket)
    clocks = ticket_clocks(ticket, now=now(), replacement=replacement_of(rmas))
    return {
        "ticket": ticket,
        "conversation": conversation,
        "last_message_id": max((message.pk for message in conversation), default=0),
        "viewers": viewers,
        "viewer_key": ",".join(str(viewer.pk) for viewer in viewers),
        "poll_seconds": POLL_SECONDS,
        "canned_replies": canned_replies_for(ticket, clocks=clocks, agent=request.user),
        "max_attachment_bytes": max_attachment_bytes(),
        "events": events,
        "related": ticket.related_tickets.order_by("-received_at"),
        "merged": ticket.merged_tickets.order_by("-received_at"),
        "device_entitlement": entitlement(ticket.device, on=today) if ticket.device else None,
        "clocks": clocks,
        "rmas": rmas,
        "outbound_mails": mail_of_ticket(ticket).only(
            "kind", "recipient", "subject", "state", "created_at", "sent_at", "last_error"
        ),
        "reply_form": ReplyForm(initial={"kind": _compose_initial(request)}),
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
    viewers = saw_ticket(ticket, request.user)
    return render(request, "desk/ticket.html", _workspace_context(request, ticket, viewers))


def _after_change(request: AuthenticatedRequest, ticket: Ticket, saved: str) -> HttpResponse:
    """htmx gets the controls, the saved cue and the event log (out of band); a plain form
    gets a redirect with the same cue as a message."""
    if not request.htmx:
        messages.success(request, saved)
        return redirect("desk:ticket", tracking_number=ticket.tracking_number)
    ticket = desk_ticket_or_404(ticket.tracking_number, related=True)
    context = {
        "ticket": ticket,
        "events": ticket.events.order_by("created_at", "id"),
        "saved": saved,
        "saved_at": now(),
    }
    context.update(_control_forms(ticket))
    controls = render_to_string("desk/ticket.html#controls", context, request=request)
    cue = render_to_string("desk/ticket.html#saved_cue", context, request=request)
    log = render_to_string("desk/ticket.html#events", {**context, "oob": True}, request=request)
    return HttpResponse(controls + cue + log)


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
    saved = _("Status saved: %(value)s.") % {"value": ticket.get_status_display()}
    return _after_change(request, ticket, saved)


@require_POST
@agent_required
def ticket_priority(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    ticket = desk_ticket_or_404(tracking_number)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, _("Choose a priority from the list."))
    change_priority(ticket, priority=form.cleaned_data["priority"], by=request.user)
    saved = _("Priority saved: %(value)s.") % {"value": ticket.get_priority_display()}
    return _after_change(request, ticket, saved)


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
    saved = _("Assignee saved: %(value)s.") % {"value": agent or _("Nobody")}
    return _after_change(request, ticket, saved)


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
        return _reply_refused(request, ticket, form)
    upload = form.cleaned_data.get("attachment")
    if upload is not None and upload.size > max_attachment_bytes():
        form.add_error("attachment", _("The file is too large to attach."))
        return _reply_refused(request, ticket, form)
    public = form.is_public()
    with transaction.atomic():
        result = add_message(
            ticket,
            body=form.cleaned_data["body"],
            channel=Channel.DESK,
            author_user=request.user,
            internal=not public,
        )
        if result.outcome != Outcome.APPENDED or result.message is None:
            form.add_error(None, result.explanation())
            return _reply_refused(request, ticket, form)
        if upload is not None:
            store_attachment(
                result.message,
                filename=upload.name,
                content_type=upload.content_type or "",
                data=upload.read(),
            )
    if public:
        messages.success(request, _("Reply sent to the customer."))
    else:
        messages.success(request, _("Internal note saved. The customer does not see it."))
    return redirect(reverse("desk:ticket", args=[ticket.tracking_number]) + "#conversation")


def _reply_refused(request: AuthenticatedRequest, ticket: Ticket, form: ReplyForm) -> HttpResponse:
    """The workspace again with the draft, the chosen composer and the errors on top (422):
    a redirect would lose what the agent wrote."""
    ticket = desk_ticket_or_404(ticket.tracking_number, related=True)
    viewers = saw_ticket(ticket, request.user)
    context = {**_workspace_context(request, ticket, viewers), "reply_form": form}
    return render(request, "desk/ticket.html", context, status=422)


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


def _merge_card(ticket: Ticket) -> dict:
    return {"ticket": ticket, "messages": desk_conversation(ticket).count()}


@require_http_methods(["GET", "POST"])
@agent_required
def ticket_merge(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    """Merging closes a ticket: the agent first sees both side by side and confirms."""
    ticket = desk_ticket_or_404(tracking_number, related=True)
    form = OtherTicketForm(request.POST if request.method == "POST" else request.GET)
    target = None
    if form.is_valid():
        target = ticket_by_tracking_number(
            form.cleaned_data["tracking_number"],
            scope=Ticket.objects.select_related("customer", "device", "contact"),
        )
    if target is None:
        return _invalid(request, ticket, _("No ticket has that tracking number."))
    refusal = merge_refusal(ticket, into=target)
    if refusal is not None:
        return _invalid(request, ticket, refusal.message)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        duplicate, carries_on = _merge_card(ticket), _merge_card(target)
        context = {
            "duplicate": duplicate,
            "target": carries_on,
            "sides": [
                {"role": "duplicate", "card": duplicate},
                {"role": "target", "card": carries_on},
            ],
        }
        return render(request, "desk/merge_confirm.html", context)
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
