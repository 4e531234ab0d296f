"""An agent's own API tokens, for their scripts and integrations: created here, shown once."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.time import now
from santacare.customers.forms import TokenForm
from santacare.customers.tokens import issue_token, revoke_token, tokens_of


@require_http_methods(["GET", "POST"])
@agent_required
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        _token, new_key = issue_token(
            name=form.cleaned_data["name"], user=request.user, lifetime=timedelta(days=days)
        )
        form = TokenForm()
    context = {
        "desk_section": "tokens",
        "form": form,
        "new_key": new_key,
        "tokens": tokens_of(user=request.user)[:100],
        "revoke_url": "desk:revoke_token",
        "now": now(),
    }
    response = render(request, "desk/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@agent_required
def revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    token = revoke_token(token_id, user=request.user)
    if token is None:
        raise Http404
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("desk:tokens")
