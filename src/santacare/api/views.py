"""The API (django-ninja, OpenAPI at /api/v1/openapi.json): the same intake as every channel.

This module holds the NinjaAPI and what both kinds of token do (devices, tickets, messages,
RMAs); the agents' operations are the router in agent.py. Every answer an operation can give
is declared in its `response=`, errors as problem details (problems.py).
"""

from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from ninja import P, PathEx, QueryEx, Status

from santacare.core.text import search_text
from santacare.customers.queries import contact_by_email
from santacare.installbase.models import Device
from santacare.rma.models import Rma
from santacare.rma.queries import rmas_for_ticket
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Message, Ticket
from santacare.tickets.results import IntakeResult
from santacare.tickets.search import search_tickets

from .agent import router as agent_router
from .auth import ApiRequest, TokenAuth, TokenThrottle
from .calls import router as calls_router
from .problems import ApiProblem, ProblemCode, caller_language, problems, problems_api, refusal
from .schemas import (
    MAX_ID,
    DeviceOut,
    MessageIn,
    MessageOut,
    OutcomeOut,
    RmaOut,
    TicketIn,
    TicketOut,
)
from .scope import ticket_or_404, tickets_for

api = problems_api(
    title="SantaCare Service Desk API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=[TokenThrottle()],
    description="Open and follow SantaCare Maintenance tickets from your own systems. Errors "
    "are RFC 9457 problem details (application/problem+json) with a machine `code`, worded in "
    "the language of Accept-Language, else of the token's owner.",
)

api.add_router("/calls", calls_router)

PAGE_SIZE = 50
TrackingNumber = PathEx[str, P(max_length=40, description="e.g. SC-250001-7")]

# The errors every operation with a token can give: no or a bad token, a malformed parameter,
# too many calls.
COMMON = (401, 422, 429)
# And those of an operation that takes a body: broken JSON, too large a body.
WITH_BODY = (*COMMON, 400, 413)


def _outcome(result: IntakeResult, request: ApiRequest) -> dict[str, Any]:
    with translation.override(caller_language(request)):
        message = result.explanation()
    return {
        "outcome": result.outcome,
        "tracking_number": result.tracking_number,
        "reason": result.reason,
        "missing": list(result.missing),
        "message": message,
    }


@api.get(
    "/devices", response={200: list[DeviceOut], **problems(*COMMON)}, summary="Your install base"
)
def list_devices(
    request: ApiRequest, serial_number: QueryEx[str, P(max_length=64)] = ""
) -> QuerySet[Device]:
    token = request.auth
    devices = Device.objects.select_related("vendor", "contract__service_level")
    if token.contact:
        devices = devices.filter(customer_id=token.contact.customer_id)
    if search := search_text(serial_number, max_length=64):
        devices = devices.filter(serial_number__icontains=search)
    return devices.order_by("serial_number")[:PAGE_SIZE]


@api.post(
    "/tickets",
    response={201: OutcomeOut, **problems(*WITH_BODY)},
    summary="Open a ticket",
    description="201 when a ticket was opened (created, info_requested or must_call); 422 with "
    "the outcome and reason when the request cannot be handled here (refused, or redirected "
    "to the NOC).",
)
def create_ticket(request: ApiRequest, payload: TicketIn) -> Status[dict[str, Any]]:
    token = request.auth
    contact = token.contact
    if token.user:
        contact = contact_by_email(payload.contact_email) if payload.contact_email else None
    # A contact's token always names its contact (a database constraint); an agent's token
    # must name one in the payload.
    if contact is None:
        raise ApiProblem(ProblemCode.CONTACT_REQUIRED)
    result = open_ticket(
        TicketRequest(
            channel=Channel.API,
            contact=contact,
            subject=payload.subject,
            description=payload.description,
            serial_number=payload.serial_number,
            priority=payload.priority,
            hardware_fault=payload.hardware_fault,
            delivery_address=payload.delivery_address,
            delivery_contact=payload.delivery_contact,
            opened_by=token.user,
        )
    )
    if result.ticket is None:
        raise refusal(result, request)
    return Status(201, _outcome(result, request))


@api.get(
    "/tickets",
    response={200: list[TicketOut], **problems(*COMMON)},
    summary="Your tickets, newest first",
)
def list_tickets(
    request: ApiRequest,
    before: QueryEx[int | None, P(ge=1, le=MAX_ID)] = None,
    q: QueryEx[str, P(max_length=200)] = "",
) -> QuerySet[Ticket]:
    """Keyset pagination: pass the smallest `id` you have seen as `before` for the next page.
    `q` searches as the portal does (an agent's token as the desk does)."""
    token = request.auth
    tickets = search_tickets(tickets_for(token), q, internal=token.user_id is not None)
    tickets = tickets.order_by("-id")
    if before is not None:
        tickets = tickets.filter(id__lt=before)
    return tickets[:PAGE_SIZE]


@api.get("/tickets/{tracking_number}", response={200: TicketOut, **problems(*COMMON, 404)})
def get_ticket(request: ApiRequest, tracking_number: TrackingNumber) -> Ticket:
    return ticket_or_404(request.auth, tracking_number)


@api.get(
    "/tickets/{tracking_number}/messages",
    response={200: list[MessageOut], **problems(*COMMON, 404)},
    summary="The conversation (customers' tokens: public messages only)",
)
def list_messages(request: ApiRequest, tracking_number: TrackingNumber) -> list[Message]:
    token = request.auth
    ticket = ticket_or_404(token, tracking_number)
    messages = ticket.messages.order_by("created_at", "id")
    if token.contact:
        # R4: internal notes and mail held for review are the desk's; a customer never sees them.
        messages = messages.filter(visibility=Message.Visibility.PUBLIC, held_for_review=False)
    return list(messages)


@api.post(
    "/tickets/{tracking_number}/messages",
    response={201: OutcomeOut, **problems(*WITH_BODY, 404)},
    summary="Add a reply (R4): a customer's reply, or an agent's public reply to the customer",
)
def create_message(
    request: ApiRequest, tracking_number: TrackingNumber, payload: MessageIn
) -> Status[dict[str, Any]]:
    token = request.auth
    ticket = ticket_or_404(token, tracking_number)
    result = add_message(
        ticket,
        body=payload.body,
        channel=Channel.API,
        author_contact=token.contact,
        author_user=token.user,
    )
    if result.message is None:
        raise refusal(result, request)
    return Status(201, _outcome(result, request))


@api.get(
    "/tickets/{tracking_number}/rmas",
    response={200: list[RmaOut], **problems(*COMMON, 404)},
    summary="The ticket's replacement parts (RMAs) and their state (R13)",
)
def list_rmas(request: ApiRequest, tracking_number: TrackingNumber) -> list[Rma]:
    return rmas_for_ticket(ticket_or_404(request.auth, tracking_number))


# Routers of their own, each mounted with one line.
api.add_router("", agent_router)
