from django.contrib import admin

from .models import DeviceSwap, ReturnReminder, Rma


class DeviceSwapInline(admin.StackedInline):
    model = DeviceSwap
    extra = 0
    can_delete = False
    readonly_fields = [
        "device",
        "old_serial",
        "new_serial",
        "contract_number",
        "swapped_at",
        "swapped_by",
    ]


class ReturnReminderInline(admin.TabularInline):
    model = ReturnReminder
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "recipient", "language", "sent_at", "outbound_mail"]


@admin.register(Rma)
class RmaAdmin(admin.ModelAdmin):
    # Changes go through the desk's RMA pages (rma.services), which log every step on the
    # ticket; the admin only shows the rows.
    list_display = ["pk", "ticket", "vendor", "status", "failed_serial", "return_due"]
    list_filter = ["status", "vendor"]
    search_fields = ["failed_serial", "replacement_serial", "vendor_rma_number"]
    list_select_related = ["ticket", "vendor"]
    inlines = [DeviceSwapInline, ReturnReminderInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeviceSwap)
class DeviceSwapAdmin(admin.ModelAdmin):
    list_display = ["device", "old_serial", "new_serial", "swapped_at"]
    search_fields = ["old_serial", "new_serial"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
