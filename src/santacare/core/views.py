from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    contact = getattr(request.user, "contact", None) if request.user.is_authenticated else None
    return render(request, "core/home.html", {"contact": contact})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make run`: answers only when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
