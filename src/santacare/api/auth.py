from django.http import HttpRequest
from ninja.security import HttpBearer

from santacare.core.time import now

from .models import ApiToken, hash_token


class ApiRequest(HttpRequest):
    # TokenAuth's answer, which ninja puts on the request before the view runs.
    auth: ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if len(token) > 200:
            return None
        api_token = (
            ApiToken.objects.select_related("contact__customer", "user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if api_token is None:
            return None
        if api_token.contact and not api_token.contact.may_open_tickets:
            return None  # R11: a contact who left the technical contacts loses API access too
        if api_token.user and not api_token.user.is_agent:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now())
        return api_token
