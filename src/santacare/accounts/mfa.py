"""The second factor: who must have one, and whether this session has passed it.

Every login goes through allauth, whose login stage asks an enrolled user for a TOTP or recovery
code. `SecondFactorMiddleware` is the net under that: a session that reached "logged in" some
other way (a login view that skips allauth, a bug) without passing the second factor is ended,
and a person who must have a second factor (staff; contacts of a company that requires it) is
sent to enrol before any other page.

What the middleware needs is written into the session when it logs in (Django's
`user_logged_in` fires for every login, whichever view made it), so a page costs no query.
"""

import logging
from collections.abc import Callable
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .models import User

logger = logging.getLogger(__name__)

SESSION_KEY = "santacare_second_factor"
# allauth's own pages (log out, enrol, re-authenticate) and what every page loads.
ENROLMENT_EXEMPT_PREFIXES = (
    "/accounts/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/csp-report/",
)


def is_staff_login(user: User) -> bool:
    return user.is_agent or user.is_staff or user.is_superuser


def required_by_company(user: User) -> bool:
    # Reached through the reverse relation: customers sit above accounts in the layers.
    contact = getattr(user, "contact", None)
    return contact is not None and contact.customer.mfa_required


def passed_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


@receiver(user_logged_in, dispatch_uid="santacare-second-factor-at-login")
def remember_second_factor_at_login(
    sender: type[User], *, request: HttpRequest | None, user: User, **_: Any
) -> None:
    if request is not None:
        request.session[SESSION_KEY] = {
            "enrolled": is_mfa_enabled(user),
            "required_by_company": required_by_company(user),
        }


@receiver(authenticator_added, dispatch_uid="santacare-record-mfa-enrolment")
def record_enrolment(
    sender: type[Authenticator], *, request: HttpRequest, authenticator: Authenticator, **_: Any
) -> None:
    """Enrolling proves the factor (allauth asks for a valid code first), so the session that
    enrolled counts as having passed it."""
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        record_authentication(
            request, request.user, "mfa", id=authenticator.pk, type=authenticator.type
        )


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if (
            not user.is_authenticated
            or request.path.startswith("/static/")
            or passed_second_factor(request)
        ):
            return self.get_response(request)
        if SESSION_KEY not in request.session:  # a session from before this check existed
            remember_second_factor_at_login(User, request=request, user=user)
        state = request.session[SESSION_KEY]
        if state["enrolled"]:
            logger.warning(
                "Session of %s had no second factor; logged out (path %s)",
                user.email,
                request.path,
            )
            logout(request)
            return redirect_to_login(request.get_full_path())
        required = state["required_by_company"] or (
            is_staff_login(user) and settings.MFA_REQUIRED_FOR_STAFF
        )
        if required and not request.path.startswith(ENROLMENT_EXEMPT_PREFIXES):
            messages.warning(
                request,
                _(
                    "Set up two-factor authentication before you continue: scan the code with "
                    "an authenticator app and enter the six digits it shows."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
