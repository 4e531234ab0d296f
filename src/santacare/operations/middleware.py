"""Counts every web request and its latency by view (`metrics.py`)."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .metrics import LATENCY, REQUESTS


class RequestMetricsMiddleware:
    """Outermost but one, so the time includes the other middleware. The label is the view's
    name (a bounded set), never the path, which carries ids and whatever a client sends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unresolved"
        LATENCY.labels(view).observe(time.perf_counter() - started)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view, method, f"{response.status_code // 100}xx").inc()
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
