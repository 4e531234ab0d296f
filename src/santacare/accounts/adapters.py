from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from santacare.outbox.models import OutboundMail
from santacare.outbox.services import queue_mail


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts exist only for technical contacts recorded in the customer's data (R11)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def post_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse:
        contact = getattr(user, "contact", None)
        if contact is None:
            return super().post_login(request, user, **kwargs)
        language = language_after_login(request, on_record=contact.language)
        # allauth words its "signed in" notice here; it is read on the next page, which is in
        # the language the contact has on record.
        with translation.override(language):
            response = super().post_login(request, user, **kwargs)
        remember_language(response, language=language)
        return response

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Account mail (password reset, notices of a changed factor) is an outbox row: a
        down SMTP server delays it instead of failing the request, and the sweep sends it."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        html_body = next(
            (
                body
                for body, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        queue_mail(
            to=message.to,
            subject=message.subject,
            body=message.body,
            html_body=str(html_body),
            kind=OutboundMail.Kind.NOTIFICATION,
        )


def language_after_login(request: HttpRequest, *, on_record: str) -> str:
    """R14: before login the browser decides the language; after it, a customer's contact
    record does, unless the person has already picked a language in this browser."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or on_record not in dict(
        settings.LANGUAGES
    ):
        return translation.get_language()
    return on_record


def remember_language(response: HttpResponse, *, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
