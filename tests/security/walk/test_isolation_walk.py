"""The isolation walk (R11: a company sees only its own things; R12: a tracking number
identifies a ticket, it is never a credential).

Every URL pattern of the project and every API operation is requested with Alice's real ids,
tracking numbers, serial numbers, attachment, RMA and held-mail ids: logged in as Charlie (a
technical contact of another company), as an anonymous visitor, and with Charlie's API token.
Each answer is the one docs/SECURITY.md's matrix gives (404 for another company's object, 403
for a staff page, the login page for a visitor), and no answer carries anything of Alice's.

The tables below name every route. A route added without a line here fails
`test_the_walk_covers_every_route`, so nobody can add a page without deciding who may see it.
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from santacare.api.views import api
from santacare.core.time import helsinki, now
from santacare.customers.tokens import issue_token
from santacare.mailgate.models import InboundMail
from santacare.tickets.models import Ticket

from .conftest import AlicesCompany

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class To:
    """A redirect whose target starts with `prefix`."""

    prefix: str


LOGIN = To("/accounts/login/")
# The admin sends everyone who is not staff to its login, which hands over to allauth's.
ADMIN_LOGIN = To("/admin/login/")
Answer = int | To
Params = Callable[[AlicesCompany], dict[str, object]]


def no_params(alice: AlicesCompany) -> dict[str, object]:
    return {}


def tracking_number(alice: AlicesCompany) -> dict[str, object]:
    return {"tracking_number": alice.ticket.tracking_number}


def serial_number(alice: AlicesCompany) -> dict[str, object]:
    return {"serial_number": alice.device.serial_number}


def attachment_id(alice: AlicesCompany) -> dict[str, object]:
    return {"attachment_id": alice.attachment.pk}


def held_mail_id(alice: AlicesCompany) -> dict[str, object]:
    return {"mail_id": alice.held_mail.pk}


def rma_id(alice: AlicesCompany) -> dict[str, object]:
    return {"pk": alice.rma.pk}


def device_id(alice: AlicesCompany) -> dict[str, object]:
    return {"pk": alice.device.pk}


def both_tickets(alice: AlicesCompany) -> dict[str, object]:
    return {
        "tracking_number": alice.ticket.tracking_number,
        "other": alice.other_ticket.tracking_number,
    }


def alices_api_token(alice: AlicesCompany) -> dict[str, object]:
    token, _key = issue_token(name="Alice's NMS", contact=alice.ticket.contact)
    return {"token_id": token.pk}


def rma_action(alice: AlicesCompany) -> dict[str, object]:
    return {"pk": alice.rma.pk, "name": "cancel"}


def alices_user(alice: AlicesCompany) -> dict[str, object]:
    # allauth's reset link names a user in base 36; Alice's, with a key that is not hers.
    user_id = alice.ticket.contact.user_id
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    base36 = ""
    while user_id:
        user_id, digit = divmod(user_id, 36)
        base36 = digits[digit] + base36
    return {"uidb36": base36, "key": "set-password"}


def confirmation_key(alice: AlicesCompany) -> dict[str, object]:
    return {"key": f"{alice.ticket.contact.user_id}:guessed"}


def some_filter_id(alice: AlicesCompany) -> dict[str, object]:
    # Saved filters are an agent's own: Charlie is refused before any lookup.
    return {"filter_id": 1}


def some_request_id(alice: AlicesCompany) -> dict[str, object]:
    return {"request_id": 1}


def access_token(alice: AlicesCompany) -> dict[str, object]:
    return {"token": f"{alice.ticket.contact.pk}:guessed"}


@dataclass(frozen=True)
class Walk:
    """How to request one route with Alice's objects, and what each caller must get."""

    charlie: Answer
    anonymous: Answer = LOGIN
    params: Params = no_params
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)


# Every named route outside the admin and the API's operations. Charlie is logged in; pages
# without an id still answer him (his own company's rows) and are read for Alice's data too.
ROUTES: dict[str, Walk] = {
    "home": Walk(charlie=To("/portal/"), anonymous=200),
    "healthz": Walk(charlie=200, anonymous=200),
    # Readiness has no login (load balancers); in the walk no worker has swept yet: 503.
    "readyz": Walk(charlie=503, anonymous=503),
    # Metrics need the token or an allowed address; the walk has neither.
    "metrics": Walk(charlie=403, anonymous=403),
    # Browsers post violation reports with no login; an empty post is not a report.
    "csp_report": Walk(charlie=400, anonymous=400, method="post"),
    "set_language": Walk(
        charlie=To("/"), anonymous=To("/"), method="post", data={"language": "en"}
    ),
    # allauth's own pages: a logged-in visitor is sent on; links with a key that is not
    # Alice's say the link is bad, never whose it was.
    "account_login": Walk(charlie=To("/"), anonymous=200),
    "account_logout": Walk(charlie=200, anonymous=To("/")),
    "account_inactive": Walk(charlie=200, anonymous=200),
    "account_signup": Walk(charlie=To("/"), anonymous=200),
    "account_reauthenticate": Walk(charlie=200),
    "account_request_reauthentication_code": Walk(charlie=To("/accounts/reauthenticate/")),
    "account_confirm_reauthentication_code": Walk(charlie=To("/accounts/reauthenticate/code/")),
    "account_email": Walk(charlie=200),
    "account_email_verification_sent": Walk(charlie=200, anonymous=200),
    "account_change_password": Walk(charlie=200),
    "account_set_password": Walk(charlie=To("/accounts/password/change/")),
    "account_reset_password": Walk(charlie=200, anonymous=200),
    "account_confirm_login_code": Walk(charlie=To("/"), anonymous=To("/accounts/login/")),
    "account_confirm_email": Walk(charlie=200, anonymous=200, params=confirmation_key),
    "account_reset_password_from_key_done": Walk(charlie=200, anonymous=200),
    "account_reset_password_from_key": Walk(charlie=200, anonymous=200, params=alices_user),
    "account_reset_password_done": Walk(charlie=200, anonymous=200),
    "mfa_index": Walk(charlie=200),
    "mfa_authenticate": Walk(charlie=To("/"), anonymous=To("/accounts/login/")),
    "mfa_reauthenticate": Walk(charlie=To("/accounts/reauthenticate/")),
    "mfa_activate_totp": Walk(charlie=To("/accounts/reauthenticate/")),
    "mfa_deactivate_totp": Walk(charlie=404),
    "mfa_view_recovery_codes": Walk(charlie=404),
    "mfa_generate_recovery_codes": Walk(charlie=To("/accounts/reauthenticate/")),
    "mfa_download_recovery_codes": Walk(charlie=404),
    "admin_login": Walk(charlie=403, anonymous=LOGIN),
    # The portal: another company's ticket, device or attachment is the same 404 as none.
    "portal:overview": Walk(charlie=200),
    "portal:devices": Walk(charlie=200),
    "portal:new_ticket": Walk(charlie=404, params=serial_number),
    "portal:phone_check": Walk(charlie=404, params=serial_number),
    "portal:tickets": Walk(charlie=200),
    "portal:find_device": Walk(charlie=200),
    "portal:ticket": Walk(charlie=404, params=tracking_number),
    "portal:reply": Walk(
        charlie=404, params=tracking_number, method="post", data={"body": "Charlie was here"}
    ),
    "portal:set_status": Walk(
        charlie=404, params=tracking_number, method="post", data={"action": "close"}
    ),
    "portal:attachment": Walk(charlie=404, params=attachment_id),
    # Charlie's own token page; Alice's token is no token of his.
    "portal:tokens": Walk(charlie=200),
    "portal:revoke_token": Walk(charlie=404, params=alices_api_token, method="post"),
    "portal:request_access": Walk(charlie=200, anonymous=200),
    "portal:verify_access": Walk(charlie=404, anonymous=404, params=access_token),
    # The desk is for agents, team leads and admins only: 403 for a customer.
    "desk:queue": Walk(charlie=403),
    "desk:tokens": Walk(charlie=403),
    "desk:revoke_token": Walk(charlie=403, params=alices_api_token, method="post"),
    "desk:phone": Walk(charlie=403),
    "desk:phone_lookup": Walk(charlie=403),
    "desk:phone_opened": Walk(charlie=403, params=tracking_number),
    "desk:mail": Walk(charlie=403),
    "desk:queue_bulk": Walk(charlie=403, method="post"),
    "desk:filter_save": Walk(charlie=403, method="post"),
    "desk:filter_delete": Walk(charlie=403, params=some_filter_id, method="post"),
    "desk:access": Walk(charlie=403),
    "desk:access_approve": Walk(charlie=403, params=some_request_id, method="post"),
    "desk:access_decline": Walk(charlie=403, params=some_request_id, method="post"),
    # The incoming-call banner and recording a call on a ticket: agents only.
    "desk:incoming_call": Walk(charlie=403),
    "desk:call_to_ticket": Walk(
        charlie=403, params=lambda alice: {"call_pk": 1}, method="post", data={"ticket": "x"}
    ),
    "desk:mail_release": Walk(charlie=403, params=held_mail_id, method="post"),
    "desk:mail_ticket": Walk(charlie=403, params=held_mail_id, method="post"),
    "desk:attachment": Walk(charlie=403, params=attachment_id),
    "desk:ticket": Walk(charlie=403, params=tracking_number),
    "desk:status": Walk(charlie=403, params=tracking_number, method="post"),
    "desk:priority": Walk(charlie=403, params=tracking_number, method="post"),
    "desk:assign": Walk(charlie=403, params=tracking_number, method="post"),
    "desk:called": Walk(charlie=403, params=tracking_number, method="post"),
    "desk:reply": Walk(charlie=403, params=tracking_number, method="post"),
    "desk:merge": Walk(charlie=403, params=tracking_number, method="post"),
    "desk:live": Walk(charlie=403, params=tracking_number),
    "desk:link": Walk(charlie=403, params=tracking_number, method="post"),
    "desk:unlink": Walk(charlie=403, params=both_tickets, method="post"),
    # R5 reports: all customers' for staff; a contact's own company's, from the login only.
    "reports:agent": Walk(charlie=403),
    "reports:agent_csv": Walk(charlie=403),
    "reports:customer": Walk(charlie=200),
    "reports:customer_csv": Walk(charlie=200),
    # A report row's tickets: staff's over every company; a contact's over its own company only.
    "reports:agent_row": Walk(charlie=403),
    "reports:customer_row": Walk(
        charlie=200, data={"group": "channel", "month": f"{helsinki(now()):%Y-%m}", "key": "portal"}
    ),
    # R13 RMAs: the agents' pages are 403; the customer's own pages 404 for Alice's.
    "rma:list": Walk(charlie=403),
    "rma:overdue": Walk(charlie=403),
    "rma:report": Walk(charlie=403),
    "rma:create": Walk(charlie=403, params=tracking_number),
    "rma:detail": Walk(charlie=403, params=rma_id),
    "rma:confirm_return": Walk(
        charlie=404, params=rma_id, method="post", data={"courier_code": "JJFI123"}
    ),
    "rma:action": Walk(charlie=403, params=rma_action, method="post"),
    "rma:device_history": Walk(charlie=403, params=device_id),
    "rma:customer_ticket": Walk(charlie=404, params=tracking_number),
    # The API's schema and docs are public; its operations are walked from API_ROUTES.
    "api:openapi-json": Walk(charlie=200, anonymous=200),
    "api:openapi-view": Walk(charlie=200, anonymous=200),
    "api:api-root": Walk(charlie=404, anonymous=404),
}


# The admin requires staff: one rule for all its routes, but for its login and logout.
ADMIN_RULE = Walk(charlie=ADMIN_LOGIN, anonymous=ADMIN_LOGIN)
ADMIN_EXCEPTIONS: dict[str, Walk] = {
    # Ours: allauth's login for a visitor; a logged-in non-staff person is refused outright.
    "admin:login": Walk(charlie=403, anonymous=LOGIN),
    # Django's: back to the index, which asks for the login.
    "admin:logout": Walk(charlie=To("/admin/"), anonymous=To("/admin/")),
}


@dataclass(frozen=True)
class ApiWalk:
    """An API operation with Alice's objects: what Charlie's token must get (no token: 401)."""

    charlie_token: int
    params: Params = no_params
    body: Callable[[AlicesCompany], dict[str, object]] | None = None
    query: dict[str, str] = field(default_factory=dict)


# Keyed by (method, path) as the OpenAPI schema lists them.
API_ROUTES: dict[tuple[str, str], ApiWalk] = {
    ("get", "/api/v1/devices"): ApiWalk(charlie_token=200, query={"serial_number": "FOC28"}),
    ("post", "/api/v1/tickets"): ApiWalk(
        charlie_token=422,
        body=lambda alice: {
            "serial_number": alice.device.serial_number,
            "description": "Charlie tries Alice's switch",
        },
    ),
    ("get", "/api/v1/tickets"): ApiWalk(charlie_token=200),
    ("get", "/api/v1/tickets/{tracking_number}"): ApiWalk(
        charlie_token=404, params=tracking_number
    ),
    ("get", "/api/v1/tickets/{tracking_number}/messages"): ApiWalk(
        charlie_token=404, params=tracking_number
    ),
    ("post", "/api/v1/tickets/{tracking_number}/messages"): ApiWalk(
        charlie_token=404, params=tracking_number, body=lambda alice: {"body": "Charlie was here"}
    ),
    ("get", "/api/v1/tickets/{tracking_number}/rmas"): ApiWalk(
        charlie_token=404, params=tracking_number
    ),
    # A customer may resolve, close or reopen their own tickets: Alice's is unknown to Charlie.
    ("post", "/api/v1/tickets/{tracking_number}/status"): ApiWalk(
        charlie_token=404, params=tracking_number, body=lambda alice: {"status": "closed"}
    ),
    # The agents' operations refuse a customer's token before looking anything up.
    ("get", "/api/v1/queues"): ApiWalk(charlie_token=403),
    ("get", "/api/v1/queues/{queue}/tickets"): ApiWalk(
        charlie_token=403, params=lambda alice: {"queue": "all"}
    ),
    ("post", "/api/v1/tickets/{tracking_number}/assignment"): ApiWalk(
        charlie_token=403, params=tracking_number, body=lambda alice: {"assignee": None}
    ),
    ("post", "/api/v1/tickets/{tracking_number}/priority"): ApiWalk(
        charlie_token=403, params=tracking_number, body=lambda alice: {"priority": "P4"}
    ),
    ("post", "/api/v1/tickets/{tracking_number}/notes"): ApiWalk(
        charlie_token=403, params=tracking_number, body=lambda alice: {"body": "Charlie's note"}
    ),
    ("get", "/api/v1/tickets/{tracking_number}/sla"): ApiWalk(
        charlie_token=403, params=tracking_number
    ),
    # The phone system's operations take an agent's token: a customer's token is refused.
    ("post", "/api/v1/calls/events"): ApiWalk(
        charlie_token=403,
        body=lambda alice: {"event": "newCall", "callId": "walk-1", "from": "+358401234567"},
    ),
    ("get", "/api/v1/calls/lookup"): ApiWalk(charlie_token=403, query={"number": "+358401234567"}),
}

# The API's operations appear in the resolver under their view names; API_ROUTES walks them.
API_VIEW_NAMES = {
    "api:list_devices",
    "api:create_ticket",
    "api:call_event",
    "api:lookup_caller",
    "api:list_tickets",
    "api:get_ticket",
    "api:list_messages",
    "api:create_message",
    "api:list_rmas",
    "api:set_status",
    "api:list_queues",
    "api:queue_tickets",
    "api:assign",
    "api:set_priority",
    "api:add_note",
    "api:ticket_sla",
}


@dataclass(frozen=True)
class Route:
    key: str
    pattern: str


def _walk_resolver(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _walk_resolver(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            # The admin's unnamed redirects are known by their pattern.
            name = entry.name or pattern
            yield Route(f"{namespace}:{name}" if namespace else name, pattern)


def all_routes() -> list[Route]:
    return list(_walk_resolver(get_resolver().url_patterns))


def is_admin(route: Route) -> bool:
    return route.key.startswith("admin:")


def fill(pattern: str, values: dict[str, object]) -> str:
    """The path of a route pattern (path converters or regex groups) with `values` put in."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), path)
    return "/" + path.replace("^", "").replace("$", "")


def admin_values(alice: AlicesCompany) -> dict[str, object]:
    ticket_type = ContentType.objects.get_for_model(Ticket)
    return {
        "object_id": alice.ticket.pk,
        "id": alice.ticket.contact.user_id,
        "content_type_id": ticket_type.pk,
        "app_label": "tickets",
        "url": f"tickets/ticket/{alice.ticket.pk}/change",
    }


def _outcome(response) -> Answer:
    if response.status_code in (301, 302):
        return To(response["Location"])
    return response.status_code


def _matches(actual: Answer, expected: Answer) -> bool:
    if isinstance(expected, To):
        return isinstance(actual, To) and actual.prefix.startswith(expected.prefix)
    return actual == expected


def _leaks(response, alice: AlicesCompany, request_text: str) -> list[str]:
    """Alice's identifying data in the body, beyond what the request itself carried."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    return [item for item in alice.identifying if item in text and item not in request_text]


def _check(problems: list[str], label: str, response, expected: Answer, alice, request_text):
    actual = _outcome(response)
    if not _matches(actual, expected):
        problems.append(f"{label}: expected {expected}, got {actual}")
    leaked = _leaks(response, alice, request_text)
    if leaked:
        problems.append(f"{label}: body shows {leaked}")


def _walk_pages(client: Client, alice: AlicesCompany, who: str) -> list[str]:
    problems: list[str] = []
    admin = admin_values(alice)
    for route in all_routes():
        if is_admin(route):
            walk = ADMIN_EXCEPTIONS.get(route.key, ADMIN_RULE)
            url = fill(route.pattern, admin)
        elif route.key in API_VIEW_NAMES:
            continue
        elif route.key in ROUTES:
            walk = ROUTES[route.key]
            url = fill(route.pattern, walk.params(alice))
        else:
            problems.append(f"{route.key} ({route.pattern}) is not in the walk's tables")
            continue
        expected = walk.charlie if who == "charlie" else walk.anonymous
        response = getattr(client, walk.method)(url, walk.data)
        _check(problems, f"{who} {walk.method.upper()} {url}", response, expected, alice, url)
    return problems


def _walk_api(client: Client, alice: AlicesCompany, token: str | None) -> list[str]:
    problems: list[str] = []
    headers = {"authorization": f"Bearer {token}"} if token else {}
    for (method, path), walk in API_ROUTES.items():
        values = walk.params(alice)
        url = re.sub(r"\{(\w+)\}", lambda m, values=values: str(values[m[1]]), path)
        body = json.dumps(walk.body(alice)) if walk.body is not None else None
        if method == "get":
            response = client.get(url, walk.query, headers=headers)
        else:
            response = client.post(url, body, content_type="application/json", headers=headers)
        expected = walk.charlie_token if token else 401
        request_text = url + (body or "") + json.dumps(walk.query)
        label = f"{'token' if token else 'no token'} {method.upper()} {url}"
        _check(problems, label, response, expected, alice, request_text)
    return problems


def _assert_alice_untouched(alice: AlicesCompany) -> None:
    ticket = Ticket.objects.get(pk=alice.ticket.pk)
    assert ticket.status == alice.ticket.status
    assert ticket.messages.count() == 1
    assert ticket.assignee_id is None
    assert ticket.merged_into_id is None
    assert alice.other_ticket.messages.count() == 1
    alice.rma.refresh_from_db()
    assert alice.rma.status == alice.rma.Status.REQUESTED
    assert InboundMail.objects.get(pk=alice.held_mail.pk).outcome == alice.held_mail.outcome


def test_the_walk_covers_every_route():
    """A new route fails here until the tables above say who may see it."""
    keys = {route.key for route in all_routes() if not is_admin(route)}
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}

    assert keys - API_VIEW_NAMES == set(ROUTES)
    assert set(ADMIN_EXCEPTIONS) <= {route.key for route in all_routes() if is_admin(route)}
    assert keys & API_VIEW_NAMES == API_VIEW_NAMES
    assert operations == set(API_ROUTES)


def test_r11_charlie_gets_nothing_of_alices_on_any_route(client, alices_company, charlies_own):
    client.force_login(charlies_own.contact.user)

    problems = _walk_pages(client, alices_company, "charlie")

    assert problems == [], "\n".join(problems)
    _assert_alice_untouched(alices_company)


def test_r11_an_anonymous_visitor_gets_the_login_page_and_nothing_of_alices(client, alices_company):
    problems = _walk_pages(client, alices_company, "anonymous")

    assert problems == [], "\n".join(problems)
    _assert_alice_untouched(alices_company)


def test_r11_an_api_token_is_no_login_for_the_pages(client, alices_company, charlie_api_token):
    """Charlie's API token on the browser's pages counts for nothing: a visitor's answers."""
    token_client = Client(headers={"authorization": f"Bearer {charlie_api_token}"})

    problems = _walk_pages(token_client, alices_company, "anonymous")

    assert problems == [], "\n".join(problems)


def test_r12_charlies_api_token_gets_nothing_of_alices(
    client, alices_company, charlies_own, charlie_api_token
):
    problems = _walk_api(client, alices_company, charlie_api_token)

    assert problems == [], "\n".join(problems)
    _assert_alice_untouched(alices_company)


def test_r12_the_api_without_a_token_answers_401_even_to_a_portal_session(
    client, alices_company, charlies_own
):
    client.force_login(charlies_own.contact.user)

    problems = _walk_api(client, alices_company, None)

    assert problems == [], "\n".join(problems)
