"""The published schema tells the truth: schemathesis generates requests from /api/v1/openapi.json
(as served, through the WSGI application) and checks every answer against it.

No server error, no status the operation does not declare, no body or content type other than
the declared one (problem details included), with a customer's and an agent's token. Bounded:
a few examples per operation, so it runs in CI on SQLite and on PostgreSQL alike.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from santacare.customers.tokens import issue_token
from tests.factories import AgentFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(params=["customer", "agent"])
def bearer(request, alice, alice_device, db):
    """A customer's technical contact's token (Alice, with a device) or an agent's."""
    if request.param == "customer":
        key = issue_token(name="Schemathesis", contact=alice)[1]
    else:
        key = issue_token(name="Schemathesis", user=AgentFactory())[1]
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(autouse=True)
def _in_the_test_transaction(settings):
    """Requests go through the WSGI application as Django's test client sends them: in the
    test's transaction (the handler would otherwise close the connection after each), and
    unthrottled, as every example here comes with the same token."""
    settings.API_THROTTLE_RATE = "100000/m"
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_is_in_the_published_schema(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
