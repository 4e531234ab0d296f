"""The operator's endpoints: `/readyz` for readiness, `/metrics` for Prometheus."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from .health import readiness
from .metrics import exposition

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, 503 naming the ones that failed (docs/OPERATIONS.md)."""
    checks = readiness()
    failing = [check.name for check in checks if not check.ok]
    body = {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "checks": {check.name: check.as_dict() for check in checks},
    }
    response = JsonResponse(body, status=503 if failing else 200)
    response["Cache-Control"] = "no-store"
    return response


def metrics_allowed(request: HttpRequest) -> bool:
    """The scraper shows the token (SANTACARE_METRICS_TOKEN, as a bearer token) or comes from an
    address on SANTACARE_METRICS_ALLOW. Neither set: nobody; the figures are the business's."""
    token = settings.METRICS_TOKEN
    authorization = request.headers.get("Authorization", "")
    if token and authorization.startswith("Bearer "):
        offered = authorization.removeprefix("Bearer ").strip()
        if hmac.compare_digest(offered.encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOW_NETWORKS)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            gettext("Metrics need the metrics token or an allowed address."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(exposition(), content_type=PROMETHEUS_CONTENT_TYPE)
