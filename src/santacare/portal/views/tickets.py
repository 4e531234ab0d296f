"""The company's tickets in the portal: the list, a ticket's page, replies (R4), close and reopen.

Every ticket comes through the customer-scoped queries of `santacare.tickets.queries`, so
another company's ticket is a 404 (not "forbidden": its existence is not revealed either).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from santacare.core.paging import keyset_page
from santacare.core.text import search_text
from santacare.core.time import now
from santacare.customers.access import ContactRequest, contact_required
from santacare.rma.queries import replacement_of, rmas_for_ticket
from santacare.sla.clocks import ticket_clocks
from santacare.tickets import queries
from santacare.tickets.attachments import (
    attachment_response,
    max_attachment_bytes,
    store_attachment,
)
from santacare.tickets.conversation import add_message
from santacare.tickets.models import Channel, RequiredItem, Ticket
from santacare.tickets.outcomes import Outcome
from santacare.tickets.services import change_status

from ..forms import ReplyForm

PAGE_SIZE = 25


@require_GET
@contact_required
def ticket_list(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    scope = request.GET.get("scope", "company")
    status = request.GET.get("status", queries.StatusFilter.OPEN)
    if status not in (
        queries.StatusFilter.OPEN,
        queries.StatusFilter.DONE,
        queries.StatusFilter.ALL,
    ):
        status = queries.StatusFilter.OPEN
    search = search_text(request.GET.get("q"), max_length=100)
    tickets = queries.tickets_for_contact(
        contact, mine=scope == "mine", status=status, search=search
    )
    page = keyset_page(
        tickets,
        order=("-received_at", "-id"),
        size=PAGE_SIZE,
        cursor=request.GET.get("after", ""),
        salt="portal.tickets",
    )
    next_url = None
    if page.next_cursor:
        params = {"scope": scope, "status": status, "after": page.next_cursor}
        if search:
            params["q"] = search
        next_url = f"?{urlencode(params)}"
    template = "portal/_ticket_rows.html" if request.htmx else "portal/tickets.html"
    return render(
        request,
        template,
        {
            "contact": contact,
            "tickets": page.items,
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


def _ticket_page(request: ContactRequest, ticket: Ticket, reply_form: ReplyForm) -> HttpResponse:
    rmas = rmas_for_ticket(ticket)
    return render(
        request,
        "portal/ticket.html",
        {
            "contact": request.contact,
            "ticket": ticket,
            "conversation": queries.public_messages(ticket),
            "reply_form": reply_form,
            "clocks": ticket_clocks(ticket, now=now(), replacement=replacement_of(rmas)),
            "rmas": rmas,
            "missing": [RequiredItem(item).label for item in ticket.missing_information],
            "nav": "tickets",
            "can_close": ticket.is_open,
            "can_reopen": ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED),
        },
        status=400 if reply_form.errors else 200,
    )


@require_GET
@contact_required
def ticket_detail(request: ContactRequest, tracking_number: str) -> HttpResponse:
    ticket = queries.ticket_for_contact_or_404(request.contact, tracking_number)
    if ticket.merged_into is not None:
        merged = queries.ticket_for_contact_or_404(
            request.contact, ticket.merged_into.tracking_number
        )
        return redirect("portal:ticket", tracking_number=merged.tracking_number)
    return _ticket_page(request, ticket, ReplyForm())


@require_POST
@contact_required
def reply(request: ContactRequest, tracking_number: str) -> HttpResponse:
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
    attach_uploads(request, result.message, form.cleaned_data["files"])
    messages.success(request, result.explanation())
    return redirect("portal:ticket", tracking_number=ticket.tracking_number)


def attach_uploads(request: HttpRequest, message, files) -> None:
    """Store a message's uploads; each refused file is told as an error message."""
    for name, reason in _store_files(message, files):
        messages.error(
            request,
            _("The file %(name)s was not attached: %(reason)s") % {"name": name, "reason": reason},
        )


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
def set_status(request: ContactRequest, tracking_number: str) -> HttpResponse:
    ticket = queries.ticket_for_contact_or_404(request.contact, tracking_number)
    action = request.POST.get("action", "")
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
def attachment_download(request: ContactRequest, attachment_id: int) -> HttpResponse:
    attachment = queries.attachment_for_contact_or_404(request.contact, attachment_id)
    return attachment_response(attachment)
