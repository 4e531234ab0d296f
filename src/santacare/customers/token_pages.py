"""The one body of the portal's and the desk's API-token pages: create, list, revoke.

Each side keeps its own view (its own access check, template and URL names) and hands this the
owner: a technical contact in the portal, an agent in the desk. The key is in the one answer to
the form's post and nowhere else (not stored, not cached, not in a redirect's session message),
so the page says so and the answer is `no-store`.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from santacare.accounts.models import User
from santacare.core.time import now

from .forms import TokenForm
from .models import Contact
from .tokens import issue_token, revoke_token, tokens_of


@dataclass(frozen=True)
class TokenOwner:
    """Whose tokens a page shows: exactly one of the two."""

    contact: Contact | None = None
    user: User | None = None


def token_list_page(
    request: HttpRequest,
    owner: TokenOwner,
    *,
    template: str,
    revoke_url: str,
    extra: dict[str, Any],
) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        _token, new_key = issue_token(
            name=form.cleaned_data["name"],
            contact=owner.contact,
            user=owner.user,
            lifetime=timedelta(days=form.cleaned_data["days"]),
        )
        form = TokenForm()
    context = {
        **extra,
        "form": form,
        "new_key": new_key,
        "tokens": tokens_of(contact=owner.contact, user=owner.user)[:100],
        "revoke_url": revoke_url,
        "now": now(),
    }
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


def revoke_and_return(
    request: HttpRequest, owner: TokenOwner, token_id: int, *, back: str
) -> HttpResponse:
    token = revoke_token(token_id, contact=owner.contact, user=owner.user)
    if token is None:
        raise Http404
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect(back)
