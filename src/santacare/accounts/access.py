"""Who may use the staff pages: agents, team leads and admins (`User.is_agent`); nobody else.

The desk, the RMA pages and the all-customers report all use `agent_required`, so what
"an agent" means is decided here once.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from santacare.core.http import HtmxRequest

from .models import User


class AuthenticatedRequest(HtmxRequest):
    """A request that `agent_required` or `login_required` let through: its user is a `User`."""

    user: User


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; a logged-in customer gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_agent:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
