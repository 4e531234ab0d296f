"""Who calls (a bearer token, customers.tokens) and how often they may (per token, shared cache)."""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from santacare.customers.models import ApiToken
from santacare.customers.tokens import token_for_key


class ApiRequest(HttpRequest):
    # TokenAuth's answer, which ninja puts on the request before the view runs.
    auth: ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_for_key(token)


class TokenThrottle(SimpleRateThrottle):
    """API_THROTTLE_RATE calls per token (e.g. "120/m"), counted in the default cache, which
    is Redis in production: every worker process counts against the same limit.

    The rate is read on every call, so a deployment (or a test) can change it without a
    restart of the API object.
    """

    scope = "token"

    def __init__(self) -> None:
        super().__init__(settings.API_THROTTLE_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.API_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None  # no token, no call: answered 401 before anything is counted
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
