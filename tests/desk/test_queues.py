"""Queues with counts, filters, search and keyset pagination; constant query counts."""

from datetime import timedelta

import pytest
import time_machine

from santacare.core.time import now
from santacare.desk import queues
from santacare.sla.notifications import sweep
from santacare.sla.services import seed_default_targets
from santacare.tickets.models import Ticket
from santacare.tickets.services import assign_ticket, change_status
from tests.desk.conftest import OFFICE_HOURS
from tests.factories import AgentFactory, DeviceFactory

pytestmark = pytest.mark.django_db


def rows(response):
    return [row.ticket.tracking_number for row in response.context["page"].items]


def counts(response):
    return {name: count for name, _, count in response.context["queue_tabs"]}


def test_queues_count_new_unassigned_mine_waiting_and_all(
    agent_client, agent, alice, alice_device, open_portal_ticket
):
    fresh = open_portal_ticket(alice, alice_device)
    mine = open_portal_ticket(alice, alice_device)
    waiting = open_portal_ticket(alice, alice_device)
    assign_ticket(mine, agent=agent, by=agent)
    change_status(mine, status=Ticket.Status.IN_PROGRESS, by=agent)
    change_status(waiting, status=Ticket.Status.WAITING_ON_CUSTOMER, by=agent)

    response = agent_client.get("/desk/")

    assert counts(response) == {
        "new": 1,
        "unassigned": 2,
        "mine": 1,
        "waiting": 1,
        "at_risk": 0,
        "all": 3,
    }
    assert rows(agent_client.get("/desk/", {"queue": "mine"})) == [mine.tracking_number]
    assert rows(agent_client.get("/desk/", {"queue": "new"})) == [fresh.tracking_number]
    assert rows(agent_client.get("/desk/", {"queue": "waiting"})) == [waiting.tracking_number]


def test_tab_counts_are_counted_again_once_a_ticket_changes(
    agent_client, agent, alice, alice_device, open_portal_ticket, django_assert_num_queries
):
    ticket = open_portal_ticket(alice, alice_device)
    # Within one minute: the turn of the minute also counts again.
    with time_machine.travel(now(), tick=False):
        assert counts(agent_client.get("/desk/"))["mine"] == 0

        # Nothing changed: the process's counts serve the next page without the counting query.
        with django_assert_num_queries(8) as unchanged:
            agent_client.get("/desk/", {"queue": "new"})
        assert not any("COUNT(*)" in query["sql"] for query in unchanged.captured_queries)

        assign_ticket(ticket, agent=agent, by=agent)
        with django_assert_num_queries(9) as changed:
            response = agent_client.get("/desk/")
        assert any("COUNT(*)" in query["sql"] for query in changed.captured_queries)
        assert counts(response)["mine"] == 1


def test_mine_is_the_viewers_own(agent_client, alice, alice_device, open_portal_ticket):
    other = AgentFactory()
    ticket = open_portal_ticket(alice, alice_device)
    assign_ticket(ticket, agent=other, by=other)

    assert rows(agent_client.get("/desk/", {"queue": "mine"})) == []


def test_search_by_tracking_number_serial_customer_and_words(
    agent_client, alice, alice_device, charlie, charlie_device, open_portal_ticket
):
    switch = open_portal_ticket(alice, alice_device, subject="Kytkin ei käynnisty")
    router = open_portal_ticket(charlie, charlie_device, subject="Reititin jumittaa")

    assert rows(agent_client.get("/desk/", {"q": switch.tracking_number.lower()})) == [
        switch.tracking_number
    ]
    assert rows(agent_client.get("/desk/", {"q": "FDO2544"})) == [router.tracking_number]
    assert rows(agent_client.get("/desk/", {"q": "Charlie"})) == [router.tracking_number]
    assert rows(agent_client.get("/desk/", {"q": "kytkin"})) == [switch.tracking_number]


@pytest.mark.postgres
def test_search_uses_finnish_stemming_on_postgresql(
    agent_client, alice, alice_device, open_portal_ticket
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Finnish full-text search is PostgreSQL's; SQLite matches substrings")
    ticket = open_portal_ticket(alice, alice_device, description="Kaapelit irtosivat kytkimestä.")

    # "kaapelin" (a cable's) finds "kaapelit" (cables): the same stem, another form.
    assert rows(agent_client.get("/desk/", {"q": "kaapelin"})) == [ticket.tracking_number]
    assert rows(agent_client.get("/desk/", {"q": "kytkimessä"})) == [ticket.tracking_number]


def test_filters_by_status_priority_and_channel(
    agent_client, agent, alice, alice_device, open_portal_ticket
):
    p1 = open_portal_ticket(alice, alice_device)
    p3 = open_portal_ticket(alice, alice_device)
    from santacare.tickets.services import change_priority

    change_priority(p1, priority="P1", by=agent)

    assert rows(agent_client.get("/desk/", {"priority": "P1"})) == [p1.tracking_number]
    assert rows(agent_client.get("/desk/", {"channel": "phone"})) == []
    assert set(rows(agent_client.get("/desk/", {"status": "new"}))) == {
        p1.tracking_number,
        p3.tracking_number,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"queue": "bogus"},
        {"status": "<script>"},
        {"priority": "P9"},
        {"after": "not-a-cursor"},
        {"after": "2026-11-24T10:00:00~abc"},
        {"after": "2026-11-24T10:00:00~1"},
        {"q": "x" * 1000},
        {"q": "'; DROP TABLE tickets_ticket; --"},
        {"q": "nul\x00byte"},
    ],
)
def test_malformed_queue_parameters_get_an_answer_not_an_error(
    agent_client, alice, alice_device, open_portal_ticket, params
):
    open_portal_ticket(alice, alice_device)

    response = agent_client.get("/desk/", params)

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main>")[1]


def test_keyset_pagination_walks_every_ticket_once(
    agent_client, alice, alice_device, open_portal_ticket, monkeypatch
):
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    opened = [
        open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS + timedelta(minutes=n))
        for n in range(5)
    ]
    # Two tickets at the same moment must not be skipped or repeated across a page boundary.
    opened.append(open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS))

    seen, after = [], ""
    for _ in range(10):
        response = agent_client.get("/desk/", {"after": after} if after else {})
        seen += rows(response)
        after = response.context["page"].next_cursor
        if not after:
            break

    assert sorted(seen) == sorted(t.tracking_number for t in opened)
    assert len(seen) == len(set(seen)) == 6


def test_htmx_search_returns_only_the_list(agent_client, alice, alice_device, open_portal_ticket):
    open_portal_ticket(alice, alice_device)

    response = agent_client.get(
        "/desk/", {"q": "Alice"}, headers={"HX-Request": "true", "HX-Target": "ticket-list"}
    )

    text = response.content.decode()
    assert text.lstrip().startswith('<div id="ticket-list"')


def test_r8_flagged_ticket_stands_out_in_the_queue(
    agent_client, alice, alice_device, open_portal_ticket
):
    ticket = open_portal_ticket(alice, alice_device)
    Ticket.objects.filter(pk=ticket.pk).update(phone_call_required=True)

    assert "Call the customer" in agent_client.get("/desk/").content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_queue_queries_do_not_grow_with_rows(
    agent_client, agent, alice, django_assert_num_queries, open_portal_ticket, count
):
    for _ in range(count):
        device = DeviceFactory(customer=alice.customer)
        ticket = open_portal_ticket(alice, device)
        assign_ticket(ticket, agent=AgentFactory(), by=agent)

    # session, user, change stamp, rows, their history, SLA targets, the tab counts (one
    # query), saved filters, agents for the bulk assign
    with django_assert_num_queries(9):
        response = agent_client.get("/desk/")
    assert len(response.context["page"].items) == count


@pytest.mark.parametrize("count", [1, 3])
def test_at_risk_queue_queries_do_not_grow_with_rows(
    agent_client, alice, alice_device, django_assert_num_queries, open_portal_ticket, count
):
    seed_default_targets()
    for n in range(count):
        open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS - timedelta(days=30 + n))
    sweep(now=now())

    # session, user, change stamp, rows, their history, SLA targets, the office calendar,
    # the tab counts (one query), saved filters, agents for the bulk assign
    with django_assert_num_queries(10):
        response = agent_client.get("/desk/", {"queue": "at_risk"})
    assert len(response.context["page"].items) == count


def test_a_deep_queue_page_costs_what_the_first_does(
    agent_client, alice, alice_device, open_portal_ticket, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    for n in range(5):
        open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS + timedelta(minutes=n))
    second = agent_client.get(
        "/desk/", {"after": agent_client.get("/desk/").context["page"].next_cursor}
    )

    # session, user, change stamp, rows, their history, SLA targets, saved filters, agents for
    # the bulk assign; the tab counts are the first page's (no ticket changed since)
    with django_assert_num_queries(8):
        third = agent_client.get("/desk/", {"after": second.context["page"].next_cursor})

    assert len(third.context["page"].items) == 1
    assert third.context["page"].next_cursor is None
    # A sorted list pages forward; the way back is its first page.
    assert 'rel="first"' in third.content.decode()
