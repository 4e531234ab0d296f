"""What a portal request costs in SQL statements (issue 12: speed at real scale).

Counted with the request's after-commit work, exactly, so that a statement added by accident
shows up here.
"""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from santacare.sla.services import seed_default_targets
from santacare.tickets.models import Ticket
from santacare.webhooks.services import forget_subscriptions, subscribed_events
from tests.portal.test_open_ticket import OFFICE_HOURS, form, url

pytestmark = pytest.mark.django_db

# PostgreSQL allocates a tracking number with nextval; SQLite needs two statements (tracking.py).
TRACKING = 1 if connection.vendor == "postgresql" else 2


def test_r3_opening_a_ticket_in_the_portal_costs_ten_statements_and_its_number(
    alice_client, alice_device, django_capture_on_commit_callbacks
):
    seed_default_targets()
    # Read once per process, not per ticket (webhooks/services.py); an earlier test's endpoint,
    # rolled back with it, may still be in this process's copy.
    forget_subscriptions()
    subscribed_events()
    with (
        time_machine.travel(OFFICE_HOURS, tick=False),
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = alice_client.post(
            url(alice_device), form(alice_device, description="Port 3 down")
        )

    assert response.status_code == 302
    # The ticket sorts by its next breach in the desk: written with its INSERT, not by a refresh
    # after the commit (issue 12: 5 more statements and a transaction of their own).
    assert Ticket.objects.get().sla_due_at is not None
    assert not any(q["sql"].startswith('UPDATE "tickets_ticket"') for q in queries)
    # Session; user with contact (customers/backends.py); device, once; SLA targets, calendar;
    # ticket, message, event; daily cap, acknowledgement.
    assert len(queries) == 10 + TRACKING, "\n".join(q["sql"][:120] for q in queries)


def test_r11_the_ticket_list_costs_three_statements(alice_client, alice, alice_device, open_for):
    for n in range(3):
        open_for(alice, alice_device, description=f"Port {n} down")

    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get("/portal/tickets/")

    assert response.status_code == 200
    assert response.content.decode().count('data-label="') >= 3 * 6
    # Session; user with contact; one page of tickets.
    assert len(queries) == 3, "\n".join(q["sql"][:120] for q in queries)


def test_r4_a_ticket_page_costs_nine_statements(alice_client, alice, alice_device, open_for):
    seed_default_targets()
    ticket = open_for(alice, alice_device)

    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(f"/portal/tickets/{ticket.tracking_number}/")

    assert response.status_code == 200
    assert response.context["clocks"]
    # Session; user with contact; the ticket; SLA targets, history, calendar; the RMAs (which
    # also give the replacement clock); messages and their attachments.
    assert len(queries) == 9, "\n".join(q["sql"][:120] for q in queries)
