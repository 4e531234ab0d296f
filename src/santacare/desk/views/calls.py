"""The incoming-call banner (R7): the desk page polls it; the agent whose extension rings sees
who is calling, with the company's devices and open tickets, and opens phone intake in one click.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.time import now
from santacare.customers.phones import readable
from santacare.telephony.lookup import caller_card, current_call
from santacare.telephony.models import Call
from santacare.telephony.services import attach_call
from santacare.tickets.models import Ticket

from .workspace import desk_ticket_or_404

# htmx stops polling on this status: an agent without an extension has no banner to wait for.
STOP_POLLING = 286


@require_GET
@agent_required
def incoming_call(request: AuthenticatedRequest) -> HttpResponse:
    """The banner's content. One indexed query while nothing changes: the same call as shown
    answers 204, which htmx leaves on the page as it is."""
    extension = request.user.phone_extension
    if not extension:
        return HttpResponse(status=STOP_POLLING)
    call = current_call(extension, now=now())
    shown = request.GET.get("shown", "")
    if call is None:
        return HttpResponse(status=204) if not shown else HttpResponse("")
    if shown == f"{call.pk}:{call.state}":
        return HttpResponse(status=204)
    context = {
        "call": call,
        "number": readable(call.number_e164) or call.customer_number,
        "card": caller_card(call.number_e164),
    }
    return render(request, "desk/_incoming_call.html", context)


@require_POST
@agent_required
def call_to_ticket(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    """The call was about an open ticket: it is written on that ticket (at the hang-up, if the
    call is still going)."""
    call = get_object_or_404(Call, pk=call_pk)
    ticket = desk_ticket_or_404(request.POST.get("ticket", "")[:20])
    if ticket.status not in Ticket.OPEN_STATUSES:
        raise Http404
    attach_call(call, ticket)
    messages.success(
        request,
        _("The call is recorded on %(ticket)s.") % {"ticket": ticket.tracking_number},
    )
    return redirect("desk:ticket", tracking_number=ticket.tracking_number)
