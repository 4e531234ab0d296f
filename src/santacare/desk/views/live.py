"""The workspace's one poll: who else has the ticket open, and messages that came since.

Polled every few seconds by every open workspace, so the answer when nothing changed is a bare
204 after two small queries (the ticket, the newest messages) and a cache round trip.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.tickets.queries import desk_conversation

from ..presence import POLL_SECONDS, saw_ticket
from .workspace import desk_ticket_or_404

MAX_ID_DIGITS = 18
NEW_MESSAGES_LIMIT = 50


@require_GET
@agent_required
def ticket_live(request: AuthenticatedRequest, tracking_number: str) -> HttpResponse:
    after = request.GET.get("after", "0")
    if not after.isdigit() or len(after) > MAX_ID_DIGITS:
        return HttpResponse(
            "after: the id of the newest message shown, digits only.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    ticket = desk_ticket_or_404(tracking_number)
    viewers = saw_ticket(ticket, request.user)
    viewer_key = ",".join(str(viewer.pk) for viewer in viewers)
    new = list(desk_conversation(ticket).filter(pk__gt=int(after))[:NEW_MESSAGES_LIMIT])
    if not new and viewer_key == request.GET.get("viewers", ""):
        return HttpResponse(status=204)
    context = {
        "ticket": ticket,
        "new_messages": new,
        "viewers": viewers,
        "viewer_key": viewer_key,
        "last_message_id": max([int(after), *(message.pk for message in new)]),
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "desk/_live.html", context)
