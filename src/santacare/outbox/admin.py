from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import OutboundMail
from .services import retry_failed_mail


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin[OutboundMail]):
    list_display = ["created_at", "recipient", "subject", "kind", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind", "auto_submitted"]
    search_fields = ["recipient", "subject", "message_id", "ticket__tracking_number"]
    readonly_fields = [f.name for f in OutboundMail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send failed mail again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundMail]) -> None:
        for mail in queryset.filter(state=OutboundMail.State.FAILED):
            retry_failed_mail(mail)
