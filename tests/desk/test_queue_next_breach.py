"""The queue sorted by next breach (R1, R5): due times per clock, the indexed copy the sort
reads, sortable columns, and the live poll that costs one query while nothing changes."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from santacare.core.time import now
from santacare.desk.queues import Filters, Queue, Sort, filtered_tickets, sorted_tickets
from santacare.sla.notifications import sweep
from santacare.sla.services import seed_default_targets
from santacare.tickets.models import Channel, Priority, Ticket
from santacare.tickets.services import change_priority, change_status
from tests.desk.conftest import OFFICE_HOURS
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def rows(response):
    return [row.ticket.tracking_number for row in response.context["page"].items]


@pytest.fixture
def three(alice, alice_device, open_portal_ticket, agent):
    """A P3 opened first, a P1 opened an hour later, and a P2 waiting on the customer."""
    seed_default_targets()
    p3 = open_portal_ticket(alice, alice_device, priority="P3")
    p1 = open_portal_ticket(
        alice, alice_device, priority="P1", received_at=OFFICE_HOURS + timedelta(hours=1)
    )
    # Waiting from the start: its clocks pause before they could breach.
    waiting = open_portal_ticket(alice, alice_device, priority="P2", received_at=now())
    change_status(waiting, status=Ticket.Status.WAITING_ON_CUSTOMER, by=agent)
    return p3, p1, waiting


def test_r1_queue_sorts_by_next_breach_and_puts_paused_clocks_last(agent_client, three):
    p3, p1, waiting = three
    sweep(now=now())  # the minutely sweep keeps the next-breach copy

    response = agent_client.get("/desk/")

    # P1 (opened 11:00) has its response due 12:00, one office hour later; P3's is due the
    # next morning; the waiting ticket's clocks are paused, so nothing of it can breach.
    assert rows(response) == [p1.tracking_number, p3.tracking_number, waiting.tracking_number]
    waiting.refresh_from_db()
    assert waiting.sla_due_at is None
    text = " ".join(response.text.split())
    assert 'aria-sort="ascending"' in text
    assert "Response: was due 24.11.2026 12:00" in text
    assert "Breached" in text  # the word, not only the red
    assert "left when work resumes" in text


def test_r1_next_breach_copy_follows_a_change_once_it_is_committed(
    alice, alice_device, open_portal_ticket, agent, django_capture_on_commit_callbacks
):
    seed_default_targets()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_portal_ticket(alice, alice_device, priority="P3", received_at=now())
    ticket.refresh_from_db()
    as_p3 = ticket.sla_due_at
    assert as_p3 is not None

    with django_capture_on_commit_callbacks(execute=True):
        change_priority(ticket, priority="P1", by=agent)
    ticket.refresh_from_db()
    # R1: raising P3 to P1 brings the response due time forward, counted from the opening.
    assert ticket.sla_due_at < as_p3

    with django_capture_on_commit_callbacks(execute=True):
        change_status(ticket, status=Ticket.Status.WAITING_ON_CUSTOMER, by=agent)
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None  # paused: nothing breaches while the customer is asked

    with django_capture_on_commit_callbacks(execute=True):
        change_status(ticket, status=Ticket.Status.IN_PROGRESS, by=agent)
    ticket.refresh_from_db()
    assert ticket.sla_due_at is not None


def test_r1_one_commit_computes_its_tickets_next_breach_once_together(
    alice, alice_device, open_portal_ticket, agent, django_capture_on_commit_callbacks
):
    """One transaction changes many tickets (a batch of mail, say): after its commit the copies
    are computed together (one read of the targets and calendar, one of the histories), and the
    later callbacks find nothing left to do. Opening writes its copy with the INSERT."""
    seed_default_targets()
    tickets = [
        open_portal_ticket(alice, alice_device, priority="P3", received_at=now()) for _ in range(3)
    ]
    as_p3 = {ticket.pk: ticket.sla_due_at for ticket in tickets}
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for ticket in tickets:
            change_priority(ticket, priority=Priority.P2, by=agent)
    with CaptureQueriesContext(connection) as all_callbacks:
        for callback in callbacks:
            callback()

    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.sla_due_at is not None
        assert ticket.sla_due_at < as_p3[ticket.pk]
    loads = [q["sql"] for q in all_callbacks if 'FROM "tickets_event"' in q["sql"]]
    assert len(loads) == 1  # the three histories in one query


def test_a_closed_ticket_loses_its_next_breach(three, agent):
    p3, _, _ = three
    sweep(now=now())
    change_status(p3, status=Ticket.Status.CLOSED, by=agent)  # no commit hook in this test
    sweep(now=now())
    p3.refresh_from_db()
    assert p3.sla_due_at is None
    assert p3.sla_warning_at is None


def test_at_sla_risk_tab_lists_warned_and_breached_tickets(agent_client, three, alice):
    p3, p1, waiting = three
    sweep(now=now())
    response = agent_client.get("/desk/", {"queue": Queue.AT_RISK})
    assert rows(response) == [p1.tracking_number, p3.tracking_number]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (Sort.PRIORITY, ["p1", "waiting", "p3"]),
        (Sort.STATUS, ["p1", "p3", "waiting"]),
        (Sort.UPDATED, ["waiting", "p1", "p3"]),
    ],
)
def test_queue_sorts_by_any_column(agent_client, three, sort, expected):
    p3, p1, waiting = three
    names = {"p3": p3, "p1": p1, "waiting": waiting}
    sweep(now=now())

    response = agent_client.get("/desk/", {"sort": sort})

    assert rows(response) == [names[name].tracking_number for name in expected]
    assert f'data-sort="{sort}"' in response.text


def test_queue_sorts_by_customer_name_and_pages_through(
    agent_client, alice, alice_device, open_portal_ticket, monkeypatch
):
    from santacare.desk import queues

    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    tickets = [open_portal_ticket(alice, alice_device) for _ in range(3)]
    other = CustomerFactory(name="Aalto Verkot Oy")
    Ticket.objects.filter(pk=tickets[1].pk).update(customer=other)

    first = agent_client.get("/desk/", {"sort": Sort.CUSTOMER})
    second = agent_client.get(
        "/desk/", {"sort": Sort.CUSTOMER, "after": first.context["page"].next_cursor}
    )

    assert rows(first)[0] == tickets[1].tracking_number
    assert sorted(rows(first) + rows(second)) == sorted(t.tracking_number for t in tickets)
    assert second.context["page"].next_cursor is None


def test_a_forged_cursor_shows_the_first_page(agent_client, three):
    response = agent_client.get("/desk/", {"after": "forged:cursor", "sort": "nonsense"})
    assert response.status_code == 200
    assert len(rows(response)) == 3


def test_live_poll_answers_not_modified_from_one_query_until_a_ticket_changes(
    agent_client, three, agent, django_assert_num_queries
):
    p3, _, _ = three
    first = agent_client.get("/desk/", {"live": "1"})
    etag = first["ETag"]
    assert first.status_code == 200
    assert 'id="queue-tabs"' in first.text
    assert 'id="ticket-list"' in first.text

    # session, user, the change stamp: nothing else while nothing changed
    with django_assert_num_queries(3):
        again = agent_client.get("/desk/", {"live": "1"}, headers={"if-none-match": etag})
    assert again.status_code == 304

    change_priority(p3, priority="P2", by=agent)
    changed = agent_client.get("/desk/", {"live": "1"}, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_live_poll_of_another_view_is_not_the_same_answer(agent_client, three):
    etag = agent_client.get("/desk/", {"live": "1"})["ETag"]
    other = agent_client.get(
        "/desk/", {"live": "1", "queue": "mine"}, headers={"if-none-match": etag}
    )
    assert other.status_code == 200


def test_tab_counts_stop_at_999(agent_client, alice, alice_device, open_portal_ticket):
    ticket = open_portal_ticket(alice, alice_device)
    Ticket.objects.bulk_create(
        Ticket(
            tracking_number=f"SC-9{n:05d}",
            customer=ticket.customer,
            channel=Channel.PORTAL,
            subject="Massa",
            received_at=OFFICE_HOURS,
        )
        for n in range(1000)
    )
    response = agent_client.get("/desk/")
    assert '<span class="count">999+</span>' in response.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
@pytest.mark.parametrize("queue", [Queue.ALL, Queue.UNASSIGNED])
def test_next_breach_order_reads_its_index(agent, alice, alice_device, open_portal_ticket, queue):
    ticket = open_portal_ticket(alice, alice_device)
    start = now()
    Ticket.objects.bulk_create(
        Ticket(
            tracking_number=f"SC-8{n:05d}",
            customer=ticket.customer,
            channel=Channel.PORTAL,
            subject="Massa",
            received_at=OFFICE_HOURS,
            status=Ticket.Status.CLOSED if n % 3 else Ticket.Status.IN_PROGRESS,
            sla_due_at=start + timedelta(minutes=n) if n % 3 == 0 else None,
        )
        for n in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")

    tickets = filtered_tickets(agent, Filters(queue=queue), moment=start)
    plan = sorted_tickets(tickets, Sort.DUE)[:51].explain()

    assert "ticket_next_breach" in plan, plan
    assert "Sort Key" not in plan.split("ticket_next_breach")[0], plan
