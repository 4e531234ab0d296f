"""Portal access requests (R11): anyone may ask; only technical contacts on record, or people
an agent approves, get an account."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from santacare.accounts.adapters import language_after_login, remember_language
from santacare.customers import services as access

from ..forms import AccessRequestForm


@require_http_methods(["GET", "POST"])
def request_access(request: HttpRequest) -> HttpResponse:
    """R11: anyone may ask; only technical contacts on record (or approved by an agent) get in."""
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(
            request, action="portal_access_request", key=form.cleaned_data["email"]
        ):
            return render(request, "portal/access_rate_limited.html", status=429)
        result = access.request_portal_access(
            **form.cleaned_data,
            language=request.LANGUAGE_CODE,
            verify_url=lambda token: request.build_absolute_uri(
                reverse("portal:verify_access", args=[token])
            ),
        )
        return render(request, "portal/access_requested.html", {"result": result})
    return render(request, "portal/request_access.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify_access(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification mail: the person chooses a password and is in."""
    access_request = access.access_request_for_token(token)
    if access_request is None or access_request.contact is None:
        return render(request, "portal/access_link_invalid.html", status=404)
    contact = access_request.contact
    form = access.activation_form(contact, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = access.activate_account(
                access_request, password=form.cleaned_data["new_password1"]
            )
        except access.AccessRequestError as error:
            return render(
                request, "portal/access_link_invalid.html", {"reason": error.message}, status=409
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        language = language_after_login(request, on_record=contact.language)
        with translation.override(language):
            messages.success(request, _("Welcome! Your portal account is ready."))
        response = redirect("portal:overview")
        remember_language(response, language=language)
        return response
    return render(
        request, "portal/verify_access.html", {"form": form, "access_request": access_request}
    )
