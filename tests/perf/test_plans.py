"""The hot read queries use their indexes on a table of real size (issue 12), PostgreSQL only.

100,000 tickets with their conversations (tests.perf.corpus) are loaded once for the module;
each page's query, built by the project's own code (tests.perf.hot_queries) in the order the
page shows (the desk's next breach first, or the agent's chosen sort), is EXPLAINed and must
read an index, never the whole ticket or message table. Times are not asserted: the
plan is what stays flat as the table grows; `python -m tests.perf.measure` shows the times.
"""

from collections.abc import Iterator

import pytest
from django.db import connection

from santacare.accounts.models import User
from santacare.core.time import now
from santacare.customers.models import Contact
from santacare.desk.queues import queue_counts_sql
from santacare.tickets.models import Ticket
from tests.perf.corpus import Corpus, fill
from tests.perf.hot_queries import hot_queries

pytestmark = pytest.mark.postgres

TICKETS = 100_000
BIG_TABLES = {"tickets_ticket", "tickets_message"}

# The index each page must walk (or, for a search, read) on the ticket or message table.
EXPECTED_INDEX = {
    "desk all": "ticket_next_breach",
    "desk all by customer": "customer_name_idx",
    "desk all by priority": "ticket_priority_due_idx",
    "desk all by updated": "ticket_updated",
    "desk search rare words": "tickets_ticket_search_vector_gin",
    "desk search serial": "tickets_ticket_serial_trgm",
    "portal open, big customer": "ticket_customer_open_idx",
    "portal all, small customer": "ticket_customer_idx",
    "api list, agent": "tickets_ticket_pkey",
}


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker) -> Iterator[Corpus]:
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's; the SQLite install is the small embedded one")
    with django_db_blocker.unblock():
        yield fill(TICKETS, messages_per_ticket=2, words=(3, 8, 8))
        with connection.cursor() as cursor:
            # Only tables that hang off tickets, all empty outside this module.
            cursor.execute("TRUNCATE tickets_ticket CASCADE")
            cursor.execute("DELETE FROM customers_contact WHERE email LIKE '%%@corpus.example'")
            cursor.execute("DELETE FROM customers_customer WHERE name LIKE 'Corpus %%'")
            cursor.execute("DELETE FROM accounts_user WHERE email LIKE '%%@corpus.example'")


@pytest.fixture
def queries(corpus, db):
    agent = User.objects.get(pk=corpus.agent_id)
    big = Contact.objects.get(customer_id=corpus.big_customer_id)
    small = Contact.objects.get(customer_id=corpus.small_customer_id)
    ticket = Ticket.objects.filter(tracking_number__startswith="SCX-").order_by("-id")[100]
    return hot_queries(agent, big, small, ticket)


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plan(queryset) -> list[dict]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (document,) = cursor.fetchone()
    return list(_nodes(document[0]["Plan"]))


@pytest.mark.parametrize(
    "name",
    [
        "desk all",
        "desk new",
        "desk unassigned",
        "desk mine",
        "desk waiting",
        "desk at risk",
        "desk all by customer",
        "desk new by customer",
        "desk mine by customer",
        "desk all by priority",
        "desk all by updated",
        "desk search word",
        "desk search rare words",
        "desk search serial",
        "desk search customer",
        "portal open, big customer",
        "portal all, small customer",
        "portal search, big customer",
        "api list, agent",
        "api list, small customer",
        "workspace messages",
    ],
)
def test_a_hot_query_reads_an_index_not_the_whole_table(queries, name):
    nodes = _plan(queries[name]())
    whole_table_reads = [
        node["Relation Name"]
        for node in nodes
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES
    ]
    assert whole_table_reads == [], f"{name} reads every row of {whole_table_reads}"
    # A sort over every matching row is a full read too, however it was found; a queue's
    # page must come out of an index in its order (or be a search's few matches).
    if name.startswith("desk") and "search" not in name:
        sorted_rows = [
            node for node in nodes if node["Node Type"] == "Sort" and "Relation Name" not in node
        ]
        assert all(node.get("Plan Rows", 0) < TICKETS // 10 for node in sorted_rows), nodes
    indexes = {node["Index Name"] for node in nodes if "Index Name" in node}
    if name in EXPECTED_INDEX:
        assert EXPECTED_INDEX[name] in indexes, f"{name} uses {sorted(indexes)}"


def test_the_corpus_is_of_real_size(corpus, db):
    """The plans above mean something only on a large table: at a few hundred rows PostgreSQL
    rightly reads everything."""
    assert Ticket.objects.filter(tracking_number__startswith="SCX-").count() == TICKETS
    assert corpus.open_tickets == TICKETS // 10


def test_the_queue_tab_counts_read_indexes_not_the_whole_table(corpus, db):
    """Each tab's count stops at its cap; a sequential scan would get there only after the
    closed history that lies before the open tickets on disk."""
    _names, sql, params = queue_counts_sql(corpus.agent_id, moment=now())
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (document,) = cursor.fetchone()
    nodes = list(_nodes(document[0]["Plan"]))
    assert [
        node
        for node in nodes
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES
    ] == []
