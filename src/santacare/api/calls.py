"""The phone system's API (R7): call events in the style of Zammad's generic CTI, and a lookup
by phone number for switchboards that pop their own screen. Agents' tokens only: a customer's
token would otherwise reach every company's callers."""

from datetime import datetime
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, P, QueryEx, Router, Schema, Status

from santacare.core.time import now
from santacare.customers.phones import to_e164
from santacare.telephony.lookup import caller_card
from santacare.telephony.models import Call
from santacare.telephony.services import (
    CallErrorCode,
    CallEvent,
    CallEventError,
    EventKind,
    parse_number,
    record_call_event,
)

from .auth import ApiRequest
from .problems import ApiProblem, problems
from .scope import require_agent

router = Router(tags=["calls"])


class CallEventIn(Schema):
    event: Literal["newCall", "ringing", "answer", "hangup"]
    callId: str = Field(..., min_length=1, max_length=250)  # noqa: N815 - Zammad's name
    direction: Literal["in", "out"] = "in"
    from_: str = Field("", alias="from", max_length=40, description="The calling number.")
    to: str = Field("", max_length=40, description="The called number.")
    extension: str = Field(
        "",
        max_length=40,
        description="newCall/ringing: the extension that rings; answer: the "
        "extension that took the call.",
    )
    user: str = Field("", max_length=254, description="Optional: the agent's email address.")
    cause: str = Field("", max_length=40, description="hangup: why, e.g. normalClearing.")


class CallOut(Schema):
    call_id: str
    state: str
    direction: str
    number: str = Field(description="The customer's number in E.164; empty when withheld.")
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None
    answered_by: str | None
    ticket: str | None = Field(description="The tracking number of the ticket it was about.")
    replayed: bool = Field(description="True when this event had already been received.")


class ContactCardOut(Schema):
    name: str
    email: str
    phone: str
    company: str
    business_id: str
    is_technical: bool


class DeviceCardOut(Schema):
    serial_number: str
    device_type: str
    vendor: str
    company: str
    contract_number: str | None


class TicketCardOut(Schema):
    tracking_number: str
    subject: str
    status: str
    priority: str
    company: str


class CallerOut(Schema):
    number: str
    contacts: list[ContactCardOut]
    devices: list[DeviceCardOut]
    open_tickets: list[TicketCardOut]


def _call_out(call: Call, *, replayed: bool) -> dict[str, Any]:
    duration = call.duration
    return {
        "call_id": call.call_id,
        "state": call.state,
        "direction": call.direction,
        "number": call.number_e164,
        "started_at": call.started_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "duration_seconds": int(duration.total_seconds()) if duration is not None else None,
        "answered_by": call.answered_by.email if call.answered_by else None,
        "ticket": call.ticket.tracking_number if call.ticket else None,
        "replayed": replayed,
    }


_ERROR_STATUS = {
    CallErrorCode.BAD_NUMBER: 422,
    CallErrorCode.BAD_CALL_ID: 422,
    CallErrorCode.UNKNOWN_CALL: 404,
    CallErrorCode.CONFLICT: 409,
}


@router.post(
    "/events",
    response={200: CallOut, 201: CallOut, **problems(401, 403, 404, 409, 422, 429)},
    summary="A call event from the phone system",
    description="newCall (201, or 200 when repeated), ringing, answer and hangup (200). A "
    "repeated event changes nothing and answers with `replayed: true`; an event for an unknown "
    "callId is 404; one that contradicts the call (an answer after the hang-up) is 409.",
)
def call_event(request: ApiRequest, payload: CallEventIn) -> Status[dict[str, Any]]:
    # The lookup spans every company: a customer's token is refused before anything is read.
    require_agent(request.auth)
    try:
        update = record_call_event(
            CallEvent(
                event=EventKind(payload.event),
                call_id=payload.callId,
                direction=Call.Direction(payload.direction),
                from_number=payload.from_,
                to_number=payload.to,
                extension=payload.extension,
                user=payload.user,
                cause=payload.cause,
            ),
            at=now(),
        )
    except CallEventError as error:
        raise ApiProblem(
            error.code, status=_ERROR_STATUS[error.code], detail=error.message
        ) from error
    return Status(201 if update.created else 200, _call_out(update.call, replayed=update.replayed))


@router.get(
    "/lookup",
    response={200: CallerOut, **problems(401, 403, 422, 429)},
    summary="Who is calling: contacts, companies, devices and open tickets of a phone number",
)
def lookup_caller(
    request: ApiRequest, number: QueryEx[str, P(max_length=40)]
) -> Status[dict[str, Any]]:
    # The lookup spans every company: a customer's token is refused before anything is read.
    require_agent(request.auth)
    try:
        e164 = to_e164(parse_number(number, field="number"))
    except CallEventError as error:
        raise ApiProblem(error.code, status=422, detail=error.message) from error
    if not e164:
        raise ApiProblem(CallErrorCode.BAD_NUMBER, status=422, detail=str(_("Not a phone number.")))
    card = caller_card(e164)
    return Status(
        200,
        {
            "number": e164,
            "contacts": [
                {
                    "name": contact.name,
                    "email": contact.email,
                    "phone": contact.phone,
                    "company": contact.customer.name,
                    "business_id": contact.customer.business_id,
                    "is_technical": contact.is_technical,
                }
                for contact in card.contacts
            ],
            "devices": [
                {
                    "serial_number": device.serial_number,
                    "device_type": device.device_type,
                    "vendor": device.vendor.name,
                    "company": device.customer.name,
                    "contract_number": device.contract.number if device.contract else None,
                }
                for device in card.devices
            ],
            "open_tickets": [
                {
                    "tracking_number": ticket.tracking_number,
                    "subject": ticket.subject,
                    "status": ticket.status,
                    "priority": ticket.priority,
                    "company": ticket.customer.name,
                }
                for ticket in card.open_tickets
            ],
        },
    )
