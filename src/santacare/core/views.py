import json
import logging

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .text import clean_line


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Each kind of person lands where their work is: agents at the desk, a customer's
    # technical contacts in the portal; anyone else sees the public front page.
    if request.user.is_authenticated:
        if request.user.is_agent:
            return redirect("/desk/")
        contact = getattr(request.user, "contact", None)
        if contact is not None and contact.may_open_tickets:
            return redirect("portal:overview")
    contact = getattr(request.user, "contact", None) if request.user.is_authenticated else None
    return render(request, "core/home.html", {"contact": contact})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so a database outage does not get
    every web process restarted; `/readyz` (operations) says whether the node can work."""
    return JsonResponse({"status": "ok"})


# Browsers report each blocked resource (report-uri: one POST each; the Reporting API batches).
# Anyone can post here, so the body, the reports per body and the posts per client are capped.
CSP_REPORT_MAX_BYTES = 64 * 1024
CSP_REPORTS_LOGGED_PER_POST = 20
CSP_REPORT_POSTS_PER_MINUTE = 60
CSP_REPORT_CONTENT_TYPES = (
    "application/csp-report",
    "application/reports+json",
    "application/json",
)
CSP_FIELD_MAX_LENGTH = 300
# The log's names for a report's fields, each with the keys that carry it: report-uri's
# kebab-case and the Reporting API's camelCase never collide, so one list serves both.
CSP_FIELDS = {
    "document": ("document-uri", "documentURL"),
    "directive": ("effective-directive", "violated-directive", "effectiveDirective"),
    "blocked": ("blocked-uri", "blockedURL"),
    "source": ("source-file", "sourceFile"),
    "line": ("line-number", "lineNumber"),
    "column": ("column-number", "columnNumber"),
    "sample": ("script-sample", "sample"),
    "disposition": ("disposition",),
    "status": ("status-code", "statusCode"),
}

csp_logger = logging.getLogger("santacare.csp")


class MalformedReport(ValueError):
    pass


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Content-Security-Policy violation reports from browsers: one log line each.

    204 when taken, 400 for what is not a report, 413 over the size cap, 429 over the rate."""
    if not _csp_report_allowed(request):
        return HttpResponse(status=429)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if length > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    if request.content_type not in CSP_REPORT_CONTENT_TYPES:
        return HttpResponse(status=400)
    try:
        reports = _csp_reports(request.body)
    except MalformedReport:
        return HttpResponse(status=400)
    for report in reports[:CSP_REPORTS_LOGGED_PER_POST]:
        # JSON keeps the line one line whatever the browser (or a forger) put in the values.
        csp_logger.warning("csp violation %s", json.dumps(report, sort_keys=True))
    return HttpResponse(status=204)


def _csp_report_allowed(request: HttpRequest) -> bool:
    """At most CSP_REPORT_POSTS_PER_MINUTE posts a minute from one address (as allauth's login
    limits see it, proxies included), counted in the cache every process shares."""
    key = f"csp-report:{get_adapter().get_client_ip(request)}"
    cache.add(key, 0, timeout=60)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window ended between add and incr: this post opens the next one.
        cache.set(key, 1, timeout=60)
        count = 1
    return count <= CSP_REPORT_POSTS_PER_MINUTE


def _csp_reports(body: bytes) -> list[dict[str, str]]:
    """The violations in a legacy `{"csp-report": {...}}` body or a Reporting API list, each
    reduced to CSP_FIELDS with every value one short line."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedReport from error
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [_csp_fields(data["csp-report"])]
    if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
        raise MalformedReport
    reports = []
    # The Reporting API sends other kinds of report to the same endpoint only if asked; skip them.
    for entry in data:
        if entry.get("type") != "csp-violation":
            continue
        if not isinstance(entry.get("body"), dict):
            raise MalformedReport
        reports.append(_csp_fields(entry["body"]))
    return reports


def _csp_fields(report: dict[str, object]) -> dict[str, str]:
    fields = {}
    for name, keys in CSP_FIELDS.items():
        value = next((report[key] for key in keys if report.get(key) is not None), None)
        text = clean_line(str(value), max_length=CSP_FIELD_MAX_LENGTH) if value is not None else ""
        if text:
            fields[name] = text
    # Every real report names the directive it broke; without one it is not a report.
    if not fields.get("directive"):
        raise MalformedReport
    return fields
