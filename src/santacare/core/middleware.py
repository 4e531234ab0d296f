import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from .logs import bind, log_context

# Inline scripts are not allowed: customer mail is shown on our pages, and a sanitizer miss must
# not become script execution. htmx is served from our own static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The Reporting API's name for our endpoint (`report-to`); browsers without it use `report-uri`.
CSP_REPORT_GROUP = "csp"


class ContentSecurityPolicyMiddleware:
    """Every page gets the policy, and browsers report what it blocked to core.views.csp_report,
    so a page that breaks under it (or an injection it stopped) shows up in the log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" in response.headers:
            return response
        report_path = reverse("csp_report")
        policy = f"{CONTENT_SECURITY_POLICY}; report-uri {report_path}"
        # Browsers ignore a Reporting API endpoint that is not https, and Chromium then sends
        # nothing at all, not even to report-uri: over plain HTTP (development) only report-uri.
        if request.is_secure():
            endpoint = request.build_absolute_uri(report_path)
            policy += f"; report-to {CSP_REPORT_GROUP}"
            response.headers["Reporting-Endpoints"] = f'{CSP_REPORT_GROUP}="{endpoint}"'
        response.headers["Content-Security-Policy"] = policy
        return response


class NulInQueryMiddleware:
    """A NUL byte in an admin page's query string answers 400: Django's admin hands list-filter
    values to the database unchecked, and PostgreSQL refuses NUL in text, so it would otherwise
    end as a server error. Our own pages clean their input (`core.text`) and answer normally."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.admin_prefix):
            return self.get_response(request)
        if "%00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                gettext("The address contains a character that is not allowed."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuse a request body over SANTACARE_MAX_REQUEST_BYTES before anything reads it, with a
    page that says why (413) rather than a failure deeper down."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.SANTACARE_MAX_REQUEST_BYTES
        if length > limit:
            return render(
                request,
                "core/request_too_large.html",
                {"limit_mb": limit // (1024 * 1024), "file_limit_mb": _file_limit_mb()},
                status=413,
            )
        return self.get_response(request)


def _file_limit_mb() -> int:
    return int(settings.SANTACARE_MAX_ATTACHMENT_BYTES) // (1024 * 1024)


# What a proxy's request id may look like (nginx's $request_id is 32 hex digits); anything else
# is replaced, so a client cannot put a line break or a megabyte into every log line.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# View arguments that name what a request works on, by the name they get in the log.
LOGGED_VIEW_ARGUMENTS = {
    "tracking_number": "ticket_id",
    "ticket_id": "ticket_id",
    "mail_id": "mail_id",
}


class RequestIdMiddleware:
    """Every request gets an id: the proxy's X-Request-ID when it sent a sane one, else a new
    one. It is on every log line the request causes (`core/logs.py`) and in the response's
    X-Request-ID, so a user's report, the proxy's log and ours meet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        with log_context(request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        bind(
            **{
                field: kwargs[name]
                for name, field in LOGGED_VIEW_ARGUMENTS.items()
                if name in kwargs
            }
        )
