"""The contact behind the logged-in user (R11): the one definition the portal, the customer's
SLA report and the customer's RMA page share.

It lives beside `Contact` rather than in `accounts`, because accounts comes first in the layers
and knows nothing of customers.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect

from santacare.accounts.access import AuthenticatedRequest
from santacare.accounts.models import User

from .models import Contact


class ContactRequest(AuthenticatedRequest):
    """A request that `contact_required` let through, carrying the user's contact."""

    contact: Contact


def current_contact(user: User | AnonymousUser) -> Contact | None:
    """The user's contact if it may use the portal (a technical contact of an active customer),
    else None: an end user, a contact who left, or a login with no contact at all."""
    if not user.is_authenticated:
        return None
    if User.contact.is_cached(user):
        # Read with the user by the login backend (backends.py); None when there is none.
        contact = getattr(user, "contact", None)
    else:
        contact = (
            Contact.objects.select_related("customer", "customer__service_delivery_manager")
            .filter(user=user)
            .first()
        )
    return contact if contact is not None and contact.may_open_tickets else None


def contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sets `request.contact` for a customer's technical contact; agents are sent to the desk,
    anyone else logged in gets 403, an anonymous visitor the login page."""

    @login_required
    @wraps(view)
    def wrapper(request: ContactRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_agent:
            return redirect("/desk/")
        contact = current_contact(request.user)
        if contact is None:
            raise PermissionDenied
        request.contact = contact
        return view(request, *args, **kwargs)

    return wrapper
