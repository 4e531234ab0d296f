"""What integrations of the desk itself need (agents' tokens): queues, assignment, status and
priority, internal notes, SLA clocks. Every change goes through the service every channel
uses (tickets.services, tickets.conversation), so the log, the mail and the clocks follow.

A customer's token gets 403 on the agents-only operations before any id is looked up; it may
change the status of its own company's tickets as the portal allows (resolve, close, reopen).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import P, PathEx, QueryEx, Router, Status

from santacare.accounts.models import User
from santacare.core.paging import keyset_page
from santacare.core.time import now
from santacare.rma.queries import replacement_delivery
from santacare.sla.clocks import ClockState, ticket_clocks
from santacare.sla.queries import tickets_at_risk, with_history
from santacare.tickets.conversation import add_message
from santacare.tickets.models import Channel, Message, Ticket
from santacare.tickets.services import (
    TicketChangeError,
    assign_ticket,
    change_priority,
    change_status,
)
from santacare.tickets.status import DONE_STATUSES

from .auth import ApiRequest
from .problems import ApiProblem, ProblemCode, caller_language, problems, refusal
from .schemas import (
    AgentTicketOut,
    AssignmentIn,
    MessageIn,
    MessageOut,
    PriorityIn,
    QueueOut,
    QueuePageOut,
    SlaOut,
    StatusIn,
)
from .scope import require_agent, ticket_or_404

router = Router(tags=["desk"])

PAGE_SIZE = 50
TrackingNumber = PathEx[str, P(max_length=40, description="e.g. SC-250001-7")]
COMMON = (401, 422, 429)
AGENT = (*COMMON, 403)
WITH_BODY = (*AGENT, 400, 413, 404)

QUEUES = {
    "new": _("New"),
    "unassigned": _("Unassigned"),
    "mine": _("Mine"),
    "waiting": _("Waiting for customer"),
    "at_risk": _("At SLA risk"),
    "all": _("All"),
}
AT_RISK = "at_risk"


def _queue_condition(queue: str, agent: User) -> Q:
    """The desk's queues, as its queue page has them (at_risk: the SLA clocks decide)."""
    open_ = Q(status__in=Ticket.OPEN_STATUSES)
    return {
        "new": Q(status=Ticket.Status.NEW),
        "unassigned": open_ & Q(assignee__isnull=True),
        "mine": open_ & Q(assignee=agent),
        "waiting": Q(status=Ticket.Status.WAITING_ON_CUSTOMER),
        AT_RISK: open_,
        "all": Q(),
    }[queue]


def _at_risk(tickets: QuerySet[Ticket], *, moment: datetime) -> list[Ticket]:
    """Open tickets whose most urgent clock has passed its warning time or run out, the least
    time left first: one page, as the desk's queue shows it (counted here from the clocks
    themselves rather than from the sweep's notices, so it is exact between sweeps)."""
    # The candidates come sorted by time left, so the warned ones are among the first few.
    risks = tickets_at_risk(now=moment, queryset=tickets, limit=PAGE_SIZE * 4)
    warned = [
        risk.ticket
        for risk in risks
        if risk.clock.state == ClockState.BREACHED
        or (risk.clock.warning_at is not None and risk.clock.warning_at <= moment)
    ]
    return warned[:PAGE_SIZE]


def _desk_tickets() -> QuerySet[Ticket]:
    return Ticket.objects.filter(merged_into__isnull=True).select_related("customer", "assignee")


@router.get(
    "/queues",
    response={200: list[QueueOut], **problems(*AGENT)},
    summary="The desk's queues and how many tickets each holds",
)
def list_queues(request: ApiRequest) -> list[dict[str, object]]:
    agent = require_agent(request.auth)
    counts = _desk_tickets().aggregate(
        **{
            name: Count("pk", filter=_queue_condition(name, agent))
            for name in QUEUES
            if name != AT_RISK  # computed from the clocks below
        }
    )
    counts[AT_RISK] = len(_at_risk(_desk_tickets(), moment=now()))
    with translation.override(caller_language(request)):
        return [
            {"queue": name, "label": str(label), "count": counts[name]}
            for name, label in QUEUES.items()
        ]


@router.get(
    "/queues/{queue}/tickets",
    response={200: QueuePageOut, **problems(*AGENT, 404)},
    summary="One queue's tickets, newest first (at_risk: least time left first, one page)",
)
def queue_tickets(
    request: ApiRequest,
    queue: PathEx[str, P(max_length=20)],
    cursor: QueryEx[str, P(max_length=500)] = "",
) -> dict[str, object]:
    agent = require_agent(request.auth)
    if queue not in QUEUES:
        raise ApiProblem(ProblemCode.NOT_FOUND)
    tickets = _desk_tickets().filter(_queue_condition(queue, agent))
    if queue == AT_RISK:
        return {"items": _at_risk(tickets, moment=now()), "next_cursor": None}
    page = keyset_page(
        tickets, order=("-received_at", "-id"), size=PAGE_SIZE, cursor=cursor, salt="api.queue"
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/tickets/{tracking_number}/assignment",
    response={200: AgentTicketOut, **problems(*WITH_BODY)},
    summary="Assign the ticket to an agent, or to nobody (null)",
)
def assign(request: ApiRequest, tracking_number: TrackingNumber, payload: AssignmentIn) -> Ticket:
    agent = require_agent(request.auth)
    ticket = ticket_or_404(request.auth, tracking_number)
    assignee = None
    if payload.assignee:
        assignee = User.objects.filter(email__iexact=payload.assignee.strip()).first()
        if assignee is None or not assignee.is_agent:
            raise ApiProblem(ProblemCode.UNKNOWN_AGENT)
    try:
        return assign_ticket(ticket, agent=assignee, by=agent)
    except TicketChangeError as error:
        raise ApiProblem(error.code, status=422, detail=error.message) from error


@router.post(
    "/tickets/{tracking_number}/status",
    response={200: AgentTicketOut, **problems(*WITH_BODY, 409)},
    summary="Change the status (customers' tokens: resolve, close or reopen their own)",
)
def set_status(request: ApiRequest, tracking_number: TrackingNumber, payload: StatusIn) -> Ticket:
    token = request.auth
    ticket = ticket_or_404(token, tracking_number)
    try:
        return change_status(ticket, status=payload.status, by=token.user, by_contact=token.contact)
    except PermissionDenied as error:
        reopening = payload.status == Ticket.Status.IN_PROGRESS
        if token.contact and reopening and ticket.status not in DONE_STATUSES:
            raise ApiProblem(ProblemCode.NOT_REOPENABLE) from error
        raise ApiProblem(ProblemCode.NOT_ALLOWED) from error


@router.post(
    "/tickets/{tracking_number}/priority",
    response={200: AgentTicketOut, **problems(*WITH_BODY)},
    summary="Change the priority (the SLA clocks follow)",
)
def set_priority(
    request: ApiRequest, tracking_number: TrackingNumber, payload: PriorityIn
) -> Ticket:
    agent = require_agent(request.auth)
    ticket = ticket_or_404(request.auth, tracking_number)
    return change_priority(ticket, priority=payload.priority, by=agent)


@router.post(
    "/tickets/{tracking_number}/notes",
    response={201: MessageOut, **problems(*WITH_BODY)},
    summary="Add an internal note: agents only see it, nobody is mailed",
)
def add_note(
    request: ApiRequest, tracking_number: TrackingNumber, payload: MessageIn
) -> Status[Message]:
    agent = require_agent(request.auth)
    ticket = ticket_or_404(request.auth, tracking_number)
    result = add_message(
        ticket, body=payload.body, channel=Channel.API, author_user=agent, internal=True
    )
    if result.message is None:
        raise refusal(result, request)
    return Status(201, result.message)


@router.get(
    "/tickets/{tracking_number}/sla",
    response={200: SlaOut, **problems(*AGENT, 404)},
    summary="The ticket's SLA clocks: due times and states (R5, R6)",
)
def ticket_sla(request: ApiRequest, tracking_number: TrackingNumber) -> dict[str, object]:
    require_agent(request.auth)
    found = ticket_or_404(request.auth, tracking_number)
    ticket = with_history(Ticket.objects.filter(pk=found.pk)).get()
    clocks = ticket_clocks(ticket, now=now(), replacement=replacement_delivery(ticket))
    return {"service_level": ticket.service_level_name, "clocks": clocks}
