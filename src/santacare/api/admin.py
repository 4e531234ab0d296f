from django.contrib import admin
from django.http import HttpRequest

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "key_prefix", "contact", "user", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "key_prefix", "last_used_at"]
    raw_id_fields = ["contact", "user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued with `santacare api_token`, which shows the key once.
        return False
