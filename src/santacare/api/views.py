"""The API (django-ninja, OpenAPI at /api/v1/openapi.json): the same intake as every channel."""

from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from ninja import NinjaAPI, P, QueryEx, Status

from santacare.core.text import search_text
from santacare.customers.queries import contact_by_email
from santacare.installbase.models import Device
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Message, Ticket
from santacare.tickets.results import IntakeResult
from santacare.tickets.search import search_tickets
from santacare.tickets.tracking import ticket_by_tracking_number

from .auth import ApiRequest, TokenAuth
from .models import ApiToken
from .schemas import DeviceOut, ErrorOut, MessageIn, MessageOut, OutcomeOut, TicketIn, TicketOut

api = NinjaAPI(
    title="SantaCare Service Desk API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    description="Open and follow SantaCare Maintenance tickets from your own systems.",
)

PAGE_SIZE = 50


def _tickets_for(token: ApiToken) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(merged_into__isnull=True)
    if token.contact:
        tickets = tickets.filter(customer_id=token.contact.customer_id)
    return tickets


def _ticket_or_none(token: ApiToken, tracking_number: str) -> Ticket | None:
    return ticket_by_tracking_number(tracking_number, scope=_tickets_for(token))


def _outcome(result: IntakeResult, language: str) -> dict[str, Any]:
    with translation.override(language):
        message = result.explanation()
    return {
        "outcome": result.outcome,
        "tracking_number": result.tracking_number,
        "reason": result.reason,
        "missing": list(result.missing),
        "message": message,
    }


@api.get("/devices", response=list[DeviceOut], summary="Your install base")
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
    response={201: OutcomeOut, 422: OutcomeOut, 400: ErrorOut},
    summary="Open a ticket",
    description="201 when a ticket was opened (created, info_requested or must_call); 422 with "
    "the outcome when the request cannot be handled here (refused, or redirected to the NOC).",
)
def create_ticket(request: ApiRequest, payload: TicketIn) -> Status[dict[str, Any]]:
    token = request.auth
    contact = token.contact
    if token.user:
        contact = contact_by_email(payload.contact_email) if payload.contact_email else None
    # A contact's token always names its contact (a database constraint); an agent's token
    # must name one in the payload.
    if contact is None:
        return Status(400, {"detail": "contact_email must name a recorded contact."})
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
    return Status(201 if result.ticket else 422, _outcome(result, contact.language))


@api.get("/tickets", response=list[TicketOut], summary="Your tickets, newest first")
def list_tickets(
    request: ApiRequest, before: int | None = None, q: QueryEx[str, P(max_length=200)] = ""
) -> QuerySet[Ticket]:
    """Keyset pagination: pass the smallest `id` you have seen as `before` for the next page.
    `q` searches as the portal does (an agent's token as the desk does)."""
    token = request.auth
    tickets = search_tickets(_tickets_for(token), q, internal=token.user_id is not None)
    tickets = tickets.order_by("-id")
    if before is not None:
        tickets = tickets.filter(id__lt=before)
    return tickets[:PAGE_SIZE]


@api.get("/tickets/{tracking_number}", response={200: TicketOut, 404: ErrorOut})
def get_ticket(
    request: ApiRequest, tracking_number: str
) -> Status[Ticket] | Status[dict[str, str]]:
    ticket = _ticket_or_none(request.auth, tracking_number)
    if ticket is None:
        return Status(404, {"detail": "Not found."})
    return Status(200, ticket)


@api.get("/tickets/{tracking_number}/messages", response={200: list[MessageOut], 404: ErrorOut})
def list_messages(
    request: ApiRequest, tracking_number: str
) -> Status[list[Message]] | Status[dict[str, str]]:
    token = request.auth
    ticket = _ticket_or_none(token, tracking_number)
    if ticket is None:
        return Status(404, {"detail": "Not found."})
    messages = ticket.messages.order_by("created_at", "id")
    if token.contact:
        messages = messages.filter(visibility=Message.Visibility.PUBLIC, held_for_review=False)
    return Status(200, list(messages))


@api.post(
    "/tickets/{tracking_number}/messages",
    response={201: OutcomeOut, 404: ErrorOut, 422: OutcomeOut},
    summary="Add a reply (R4)",
)
def create_message(
    request: ApiRequest, tracking_number: str, payload: MessageIn
) -> Status[dict[str, Any]]:
    token = request.auth
    ticket = _ticket_or_none(token, tracking_number)
    if ticket is None:
        return Status(404, {"detail": "Not found."})
    result = add_message(
        ticket,
        body=payload.body,
        channel=Channel.API,
        author_contact=token.contact,
        author_user=token.user,
    )
    language = token.contact.language if token.contact else ticket.language
    return Status(201 if result.message else 422, _outcome(result, language))
