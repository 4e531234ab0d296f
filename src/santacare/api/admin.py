from django.contrib import admin
from django.http import HttpRequest

from santacare.customers.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = [
        "name",
        "key_prefix",
        "contact",
        "user",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["key_hash", "key_prefix", "last_used_at"]
    raw_id_fields = ["contact", "user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued where the key can be shown once: the portal, the desk or
        # `santacare api_token`.
        return False
