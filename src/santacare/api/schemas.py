from datetime import date, datetime

from ninja import Field, Schema

from santacare.tickets.models import Priority


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
    description: str = Field(..., max_length=100_000)
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
    status: str
    priority: str
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


class MessageIn(Schema):
    body: str = Field(..., max_length=100_000)


class MessageOut(Schema):
    direction: str
    author: str = Field(alias="author_email")
    body: str
    created_at: datetime


class ErrorOut(Schema):
    detail: str
