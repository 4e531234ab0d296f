"""A technical contact's API tokens (R11): created here, shown once, listed and revoked.

The page's body is shared with the desk's (customers/token_pages.py), which says why the key
is shown only in the answer to the form's post.
"""

from django.http import HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from santacare.customers.access import ContactRequest, contact_required
from santacare.customers.token_pages import TokenOwner, revoke_and_return, token_list_page


@require_http_methods(["GET", "POST"])
@contact_required
def token_list(request: ContactRequest) -> HttpResponse:
    return token_list_page(
        request,
        TokenOwner(contact=request.contact),
        template="portal/tokens.html",
        revoke_url="portal:revoke_token",
        extra={"nav": "tokens"},
    )


@require_POST
@contact_required
def revoke(request: ContactRequest, token_id: int) -> HttpResponse:
    return revoke_and_return(
        request, TokenOwner(contact=request.contact), token_id, back="portal:tokens"
    )
