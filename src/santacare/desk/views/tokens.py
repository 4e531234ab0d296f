"""An agent's own API tokens, for their scripts and integrations: created here, shown once."""

from django.http import HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.customers.token_pages import TokenOwner, revoke_and_return, token_list_page


@require_http_methods(["GET", "POST"])
@agent_required
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    return token_list_page(
        request,
        TokenOwner(user=request.user),
        template="desk/tokens.html",
        revoke_url="desk:revoke_token",
        extra={"desk_section": "tokens"},
    )


@require_POST
@agent_required
def revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    return revoke_and_return(request, TokenOwner(user=request.user), token_id, back="desk:tokens")
