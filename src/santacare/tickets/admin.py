from django.contrib import admin
from django.http import HttpRequest

from .models import Attachment, Event, Message, Ticket


class MessageInline(admin.StackedInline[Message, Ticket]):
    model = Message
    extra = 0
    fields = readonly_fields = (
        "visibility",
        "direction",
        "channel",
        "author_email",
        "body",
        "created_at",
    )
    can_delete = False


class EventInline(admin.TabularInline[Event, Ticket]):
    model = Event
    extra = 0
    fields = readonly_fields = ("created_at", "kind", "actor_label", "data")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    list_display = [
        "tracking_number",
        "subject",
        "customer",
        "serial_number",
        "channel",
        "priority",
        "status",
        "phone_call_required",
        "received_at",
    ]
    list_filter = ["status", "priority", "channel", "phone_call_required", "hardware_fault"]
    list_select_related = ["customer"]
    search_fields = ["tracking_number", "subject", "serial_number", "customer__name"]
    readonly_fields = [
        "tracking_number",
        "channel",
        "received_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "serial_number",
        "device_type",
        "contract_number",
        "service_level_name",
    ]
    raw_id_fields = ["customer", "contact", "device", "opened_by", "assignee", "service_level"]
    inlines = [MessageInline, EventInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin[Attachment]):
    list_display = ["filename", "content_type", "size", "created_at"]
    raw_id_fields = ["message"]
