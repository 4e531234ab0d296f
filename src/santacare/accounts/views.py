from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login form would skip allauth's throttling and its second-factor stage,
    so /admin/login/ only sends people to allauth's login page and back."""
    if request.user.is_authenticated:
        # Logged in but not allowed into the admin: the admin would offer a second login here.
        raise PermissionDenied
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))
