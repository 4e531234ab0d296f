from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from santacare.accounts.access import AuthenticatedRequest

from . import services
from .models import AccessRequest, Contact, Customer, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "job_role", "is_technical", "language", "is_active"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "business_id", "service_delivery_manager", "language", "is_active"]
    list_filter = ["is_active", "language", "mfa_required"]
    search_fields = ["name", "business_id"]
    inlines = [SiteInline, ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "customer", "job_role", "is_technical", "is_active"]
    list_filter = ["is_technical", "is_active"]
    list_select_related = ["customer"]
    search_fields = ["name", "email", "phone", "customer__name"]
    raw_id_fields = ["user"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "city"]
    list_select_related = ["customer"]
    search_fields = ["name", "city", "customer__name"]


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    """Where agents decide the portal access requests that wait for them (R11)."""

    list_display = ["created_at", "name", "email", "company_name", "business_id", "status"]
    list_filter = ["status"]
    list_select_related = ["customer"]
    search_fields = ["name", "email", "company_name", "business_id"]
    readonly_fields = [
        "company_name",
        "business_id",
        "customer",
        "name",
        "email",
        "phone",
        "job_role",
        "language",
        "status",
        "contact",
        "decided_by",
        "decided_at",
    ]
    fields = [*readonly_fields, "decline_reason"]
    actions = ["approve", "decline"]

    # Deciding access requests is desk work: every agent may, without per-model permissions.
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return getattr(request.user, "is_agent", False)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return getattr(request.user, "is_agent", False)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return getattr(request.user, "is_agent", False)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Approve: record as technical contact and send the link"))
    def approve(self, request: AuthenticatedRequest, queryset: QuerySet[AccessRequest]) -> None:
        def verify_url(token: str) -> str:
            return request.build_absolute_uri(reverse("portal:verify_access", args=[token]))

        for access_request in queryset:
            try:
                services.approve_access_request(
                    access_request, by=request.user, verify_url=verify_url
                )
            except services.AccessRequestError as error:
                self.message_user(request, f"{access_request}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, gettext("Approved: %s") % access_request)

    @admin.action(description=_("Decline with the reason written on the request"))
    def decline(self, request: AuthenticatedRequest, queryset: QuerySet[AccessRequest]) -> None:
        for access_request in queryset:
            if not access_request.decline_reason.strip():
                self.message_user(
                    request,
                    gettext("%s: write the reason on the request first.") % access_request,
                    messages.ERROR,
                )
                continue
            try:
                services.decline_access_request(
                    access_request, by=request.user, reason=access_request.decline_reason
                )
            except services.AccessRequestError as error:
                self.message_user(request, f"{access_request}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, gettext("Declined: %s") % access_request)
