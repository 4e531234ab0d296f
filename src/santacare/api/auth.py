"""Who calls (a bearer token, customers.tokens) and how often they may (per token, shared cache)."""

import threading
import time

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
    """API_THROTTLE_RATE calls per token (e.g. "120/m") in a sliding window, kept in the default
    cache, which is Redis in production: every worker process counts against the same limit.

    One instance serves every request, on several threads under the development server, so the
    state of a call (ninja's base class keeps it on the instance) is kept per thread here. The
    rate is read on every call, so a deployment (or a test) can change it without a restart.
    """

    scope = "token"

    def __init__(self) -> None:
        super().__init__(settings.API_THROTTLE_RATE)
        self._call = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None:
            return True
        limit, duration = self.parse_rate(settings.API_THROTTLE_RATE)
        if limit is None or duration is None:
            return True
        moment = time.time()
        # Newest first: the calls still inside the window.
        history = [at for at in self.cache.get(key, []) if at > moment - duration]
        if len(history) >= limit:
            # One more call is allowed once the oldest call in the window has left it.
            self._call.wait = duration - (moment - history[-1])
            return False
        self.cache.set(key, [moment, *history], duration)
        self._call.wait = None
        return True

    def wait(self) -> float | None:
        wait: float | None = getattr(self._call, "wait", None)
        return wait

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None  # no token, no call: answered 401 before anything is counted
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
