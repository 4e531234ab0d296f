from django.contrib import admin
from django.http import HttpRequest

from .models import ClockResult, SlaNotice, SlaTarget


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin[SlaTarget]):
    list_display = [
        "service_level",
        "priority",
        "response_minutes",
        "restore_minutes",
        "replacement_rule",
        "replacement_minutes",
        "replacement_cutoff",
        "warning_percent",
    ]
    list_filter = ["service_level", "priority"]


@admin.register(SlaNotice)
class SlaNoticeAdmin(admin.ModelAdmin[SlaNotice]):
    list_display = ["ticket", "clock", "kind", "due", "created_at"]
    list_filter = ["clock", "kind"]
    raw_id_fields = ["ticket"]

    def has_change_permission(self, request: HttpRequest, obj: SlaNotice | None = None) -> bool:
        return False


@admin.register(ClockResult)
class ClockResultAdmin(admin.ModelAdmin[ClockResult]):
    list_display = ["ticket", "clock", "elapsed_minutes", "target_minutes", "met", "month"]
    list_filter = ["clock", "met", "priority", "channel"]
    raw_id_fields = ["ticket", "customer"]

    def has_change_permission(self, request: HttpRequest, obj: ClockResult | None = None) -> bool:
        return False
