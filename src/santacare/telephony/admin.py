from django.contrib import admin

from .models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin[Call]):
    list_display = [
        "started_at",
        "direction",
        "from_number",
        "to_number",
        "state",
        "answered_by",
        "ticket",
    ]
    list_filter = ["state", "direction"]
    search_fields = ["call_id", "from_number", "to_number", "number_e164"]
    readonly_fields = [field.name for field in Call._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False
