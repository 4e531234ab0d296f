"""A technical contact's API tokens (R11): created here, shown once, listed and revoked.

The key is in the one answer to the form's post and nowhere else (not stored, not cached,
not in a redirect's session message), so the page says so and the answer is `no-store`.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from santacare.core.time import now
from santacare.customers.access import ContactRequest, contact_required
from santacare.customers.forms import TokenForm
from santacare.customers.tokens import issue_token, revoke_token, tokens_of


@require_http_methods(["GET", "POST"])
@contact_required
def token_list(request: ContactRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        _token, new_key = issue_token(
            name=form.cleaned_data["name"], contact=request.contact, lifetime=timedelta(days=days)
        )
        form = TokenForm()
    context = {
        "nav": "tokens",
        "form": form,
        "new_key": new_key,
        "tokens": tokens_of(contact=request.contact)[:100],
        "revoke_url": "portal:revoke_token",
        "now": now(),
    }
    response = render(request, "portal/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@contact_required
def revoke(request: ContactRequest, token_id: int) -> HttpResponse:
    token = revoke_token(token_id, contact=request.contact)
    if token is None:
        raise Http404
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("portal:tokens")
