"""The admin's view of the gateway until the desk has its own: what came in, what went out."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from santacare.accounts.access import AuthenticatedRequest

from .models import InboundMail
from .review import open_ticket_from_mail, release_held_mail


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin[InboundMail]):
    list_display = [
        "received_at",
        "from_address",
        "subject",
        "outcome",
        "reason",
        "ticket",
        "authentication",
        "is_held",
        "is_quarantined",
    ]
    list_filter = ["outcome", "is_held", "is_quarantined", "authentication", "source", "state"]
    search_fields = ["from_address", "subject", "message_id", "ticket__tracking_number"]
    list_select_related = ["ticket"]
    # The raw bytes are evidence: shown through the fields below, never edited.
    exclude = ["raw"]
    readonly_fields = [f.name for f in InboundMail._meta.fields if f.name != "raw"]
    actions = ["release", "turn_into_ticket"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Release held mail"))
    def release(self, request: AuthenticatedRequest, queryset: QuerySet[InboundMail]) -> None:
        for mail in queryset.filter(is_held=True):
            release_held_mail(mail, by=request.user)
        self.message_user(request, _("Released."), messages.SUCCESS)

    @admin.action(description=_("Turn into a ticket"))
    def turn_into_ticket(
        self, request: AuthenticatedRequest, queryset: QuerySet[InboundMail]
    ) -> None:
        for mail in queryset.filter(ticket__isnull=True):
            result = open_ticket_from_mail(mail, by=request.user)
            self.message_user(request, f"{mail}: {result.explanation()}")
