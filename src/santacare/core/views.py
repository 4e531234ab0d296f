from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET


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
    """For load balancers and `make run`: answers only when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
