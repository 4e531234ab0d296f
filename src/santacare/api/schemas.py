from datetime import date, datetime

from ninja import Field, Schema

from santacare.rma.models import Rma
from santacare.sla.clocks import Clock
from santacare.tickets.models import Message, Priority, Ticket

# Text that must say something: at least one character that is not white space. The service
# refuses an empty message too (R4); the schema says so first, so a client learns it from the
# published document rather than from a refusal.
SOME_TEXT = r"\S"
# Ids are 64-bit in PostgreSQL; a larger number would be an error there, not an empty page.
MAX_ID = 2**63 - 1


class DeviceOut(Schema):
    serial_number: str
    device_type: str
    vendor: str = Field(alias="vendor.name")
    contract_number: str | None = Field(None, alias="contract.number")
    service_level: str | None = Field(None, alias="contract.service_level.name")
    contract_valid_to: date | None = Field(None, alias="contract.valid_to")


class TicketIn(Schema):
    serial_number: str = Field("", max_length=64)
    subject: str = Field("", max_length=200)
    description: str = Field(..., min_length=1, max_length=100_000, pattern=SOME_TEXT)
    priority: Priority = Priority.P3
    hardware_fault: bool = False
    delivery_address: str = Field("", max_length=2000)
    delivery_contact: str = Field("", max_length=300)
    contact_email: str = Field(
        "", max_length=254, description="Agents' tokens only: the technical contact it is for."
    )


class OutcomeOut(Schema):
    outcome: str
    tracking_number: str | None
    reason: str | None
    missing: list[str]
    message: str


class TicketOut(Schema):
    tracking_number: str
    subject: str
    status: Ticket.Status
    priority: Priority
    channel: str
    serial_number: str
    device_type: str
    contract_number: str
    service_level: str = Field(alias="service_level_name")
    hardware_fault: bool
    missing_information: list[str]
    received_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None


class AgentTicketOut(TicketOut):
    """What an agent's token sees of a ticket: also whose it is and who works on it."""

    customer: str = Field(alias="customer.name")
    assignee: str | None = Field(None, alias="assignee.email")
    phone_call_required: bool


class MessageIn(Schema):
    body: str = Field(..., min_length=1, max_length=100_000, pattern=SOME_TEXT)


class MessageOut(Schema):
    direction: str
    internal: bool
    author: str = Field(alias="author_email")
    body: str
    created_at: datetime

    @staticmethod
    def resolve_internal(message: Message) -> bool:
        return message.visibility == Message.Visibility.INTERNAL


class StatusIn(Schema):
    status: Ticket.Status = Field(
        ..., description="Customers' tokens: resolved, closed, or in_progress to reopen."
    )


class PriorityIn(Schema):
    priority: Priority


class AssignmentIn(Schema):
    assignee: str | None = Field(
        ..., max_length=254, description="The agent's email, or null to unassign."
    )


class QueueOut(Schema):
    queue: str
    label: str
    count: int


class QueuePageOut(Schema):
    items: list[AgentTicketOut]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page."
    )


class ClockOut(Schema):
    clock: str = Field(alias="name", description="response, restore or replacement")
    state: str = Field(description="running, paused, met, missed, breached or not_applicable")
    target_minutes: int | None
    due: datetime
    warning_at: datetime | None
    stopped_at: datetime | None
    remaining_seconds: int = Field(description="Negative once the clock has run out.")
    elapsed_seconds: int

    @staticmethod
    def resolve_remaining_seconds(clock: Clock) -> int:
        return int(clock.remaining.total_seconds())

    @staticmethod
    def resolve_elapsed_seconds(clock: Clock) -> int:
        return int(clock.elapsed.total_seconds())


class SlaOut(Schema):
    service_level: str
    clocks: list[ClockOut]


class RmaOut(Schema):
    id: int
    status: Rma.Status
    part_description: str
    failed_serial: str
    replacement_serial: str
    courier: str
    tracking_code: str
    opened_at: datetime
    promised_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    return_due: date | None
    returned_at: datetime | None
    received_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
