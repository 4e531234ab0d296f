from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel
from santacare.customers.models import Contact, Customer
from santacare.installbase.models import Device, ServiceLevel

# Caps on what a channel may hand the door; cleaning (core/text.py) cuts longer input here.
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 100_000
MAX_FIELD_LENGTH = 2_000


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    # Messages only: an agent's reply or note written in the desk (tickets open by the others).
    DESK = "desk", _("Service desk")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 – critical: network down")
    P2 = "P2", _("P2 – severely degraded")
    P3 = "P3", _("P3 – impaired")
    P4 = "P4", _("P4 – question or request")


class RequiredItem(models.TextChoices):
    """What R9 requires on every ticket; missing ones are asked for, never guessed."""

    DESCRIPTION = "description", _("description of the problem or request")
    SERIAL_NUMBER = "serial_number", _("serial number of the device or part")
    DEVICE_TYPE = "device_type", _("type of the device or part")
    DELIVERY_ADDRESS = "delivery_address", _("delivery address for the replacement part")
    DELIVERY_CONTACT = "delivery_contact", _("contact person for the replacement delivery")


# Ticket.OPEN_STATUSES for the partial indexes: a class body's names are not visible in Meta.
_OPEN = ["new", "info_requested", "in_progress", "waiting_on_customer"]


class Ticket(TimestampedModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        INFO_REQUESTED = "info_requested", _("Information requested")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (
        Status.NEW,
        Status.INFO_REQUESTED,
        Status.IN_PROGRESS,
        Status.WAITING_ON_CUSTOMER,
    )

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT_LENGTH)
    description = models.TextField(_("description"), blank=True)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority, default=Priority.P3)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW)
    language = models.CharField(_("language"), max_length=2, default="fi")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agent who recorded a phone ticket on the customer's behalf."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )

    # R3: what the install base said when the ticket was opened. Kept as written, so a later
    # contract change or device swap does not rewrite the history of a closed ticket.
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    device_type = models.CharField(_("device type"), max_length=200, blank=True)
    contract_number = models.CharField(_("contract number"), max_length=40, blank=True)
    service_level = models.ForeignKey(
        ServiceLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_level_name = models.CharField(_("service level"), max_length=100, blank=True)

    # R9: a suspected hardware fault needs delivery details for the replacement part.
    hardware_fault = models.BooleanField(_("hardware fault suspected"), default=False)
    delivery_address = models.TextField(_("delivery address"), blank=True)
    delivery_contact = models.CharField(_("delivery contact"), max_length=300, blank=True)
    missing_information = models.JSONField(_("missing information"), default=list, blank=True)

    # R8: a critical or after-hours request that came in by portal or email; the customer was
    # told to call, and agents see the ticket flagged until somebody has phoned.
    phone_call_required = models.BooleanField(_("customer told to call"), default=False)
    # R1: opened by an agent for a device without a valid contract, as billable work (only where
    # the ALLOW_OUT_OF_CONTRACT policy is on); no contract SLA applies.
    out_of_contract = models.BooleanField(_("out of contract, billable"), default=False)

    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_tickets"
    )
    related_tickets = models.ManyToManyField("self", blank=True, symmetrical=True)

    # R5: the basic SLA timestamps every ticket carries.
    received_at = models.DateTimeField(_("received"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # The desk sorts by next breach: a copy of the earliest due time (and earliest warning) of
    # the ticket's running clocks, empty when none runs. Written only by santacare.sla.due_index,
    # which derives it from the clocks; the clocks themselves stay derived (sla/clocks.py).
    sla_due_at = models.DateTimeField(_("next SLA due"), null=True, blank=True, editable=False)
    sla_warning_at = models.DateTimeField(
        _("next SLA warning"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-received_at", "-id"]
        # Each list walks one of these newest first and stops at its page; the search
        # vectors and trigram indexes are PostgreSQL's own (migration 0008, tickets/search.py).
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="ticket_newest_idx"),
            models.Index(fields=["customer", "-received_at", "-id"], name="ticket_customer_idx"),
            models.Index(fields=["status", "-received_at", "-id"], name="ticket_status_idx"),
            # The portal's default list: the company's open tickets, few beside its closed ones.
            models.Index(
                fields=["customer", "-received_at", "-id"],
                name="ticket_customer_open_idx",
                condition=models.Q(status__in=_OPEN, merged_into__isnull=True),
            ),
            # The open queues (mine, unassigned): a small part of a large table. "IS NULL"
            # does not give an index's order the way "=" does, hence the second one.
            models.Index(
                fields=["assignee", "-received_at", "-id"],
                name="ticket_open_assignee_idx",
                condition=models.Q(status__in=_OPEN, merged_into__isnull=True),
            ),
            models.Index(
                fields=["-received_at", "-id"],
                name="ticket_unassigned_idx",
                condition=models.Q(
                    status__in=_OPEN, merged_into__isnull=True, assignee__isnull=True
                ),
            ),
            models.Index(fields=["status", "priority"]),
            models.Index(fields=["serial_number"]),
            # PostgreSQL's ascending b-tree keeps NULLs last: ORDER BY sla_due_at NULLS LAST, id.
            models.Index(fields=["sla_due_at", "id"], name="ticket_next_breach"),
            # The desk sorted by priority, next breach within (by customer: customers.Customer's
            # name index, then each customer's tickets).
            models.Index(fields=["priority", "sla_due_at", "id"], name="ticket_priority_due_idx"),
            # The desk's "at SLA risk" tab: a counting clock past its warning (open tickets only).
            models.Index(
                fields=["sla_warning_at"],
                name="ticket_sla_warning_idx",
                condition=models.Q(sla_warning_at__isnull=False),
            ),
            models.Index(fields=["updated_at", "id"], name="ticket_updated"),
        ]

    def __str__(self) -> str:
        return f"[{self.tracking_number}] {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def subject_tag(self) -> str:
        return f"[{self.tracking_number}]"


class Message(TimestampedModel):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public reply")
        INTERNAL = "internal", _("Internal note")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the customer")
        OUTBOUND = "outbound", _("To the customer")
        INTERNAL = "internal", _("Within the desk")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_email = models.EmailField(_("author email"), blank=True)
    body = models.TextField(_("text"))
    # Sanitized at write time and again escaped on display: customer HTML is never trusted.
    body_html = models.TextField(_("HTML"), blank=True)
    email_message_id = models.CharField(max_length=998, blank=True, db_index=True)
    # An inbound message that awaits an agent's review (say, DMARC failed): shown to agents only,
    # and it changes nothing on the ticket until released.
    held_for_review = models.BooleanField(_("held for review"), default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_conversation_idx")
        ]

    def __str__(self) -> str:
        return f"{self.ticket.tracking_number} #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Attachment(TimestampedModel):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content_id = models.CharField(max_length=998, blank=True)
    is_inline = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class AppendOnlyError(Exception):
    pass


class Event(models.Model):
    """The audit log of a ticket: who changed what, when. Rows are never changed or deleted."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Ticket opened")
        INFO_REQUESTED = "info_requested", _("Information requested")
        INFO_SUPPLIED = "info_supplied", _("Information supplied")
        PHONE_CALL_REQUIRED = "phone_call_required", _("Customer told to call")
        MESSAGE_ADDED = "message_added", _("Message added")
        STATUS_CHANGED = "status_changed", _("Status changed")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        ASSIGNED = "assigned", _("Assigned")
        MERGED = "merged", _("Merged")
        LINKED = "linked", _("Linked")
        ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
        MAIL_HELD = "mail_held", _("Mail held for review")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACHED = "sla_breached", _("SLA breached")
        RMA_CHANGED = "rma_changed", _("RMA changed")
        OUT_OF_CONTRACT = "out_of_contract", _("Opened out of contract, billable")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    # No `choices` on the column: other apps add kinds of their own (sla, rma, mailgate) without
    # a migration here; `Kind` lists the known ones and labels them.
    kind = models.CharField(_("kind"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="event_log_idx")]

    def __str__(self) -> str:
        return f"{self.ticket.tracking_number} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Events are append-only.")

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label) if self.kind in self.Kind.values else self.kind


class TrackingCounter(models.Model):
    """SQLite's stand-in for the PostgreSQL sequence of tracking numbers (see tracking.py)."""

    value = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.value)
