"""What one inbound mail costs the database (issue 12): the raw message crosses the wire once
each way, and the sender is found through the index on lower(email)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from santacare.customers.queries import contact_by_email
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail


def _new_request(sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@santacare.example\r\n"
        "Message-ID: <cost-1@alice.example>\r\nSubject: Kytkin FOC2233X0AB ei käynnisty\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hei, kytkin FOC2233X0AB ei käynnisty sähkökatkon jälkeen.\r\n"
    ).encode()


@pytest.mark.django_db
def test_r6_new_request_stores_the_raw_message_once_and_reads_it_once(mail_world):
    """The mail opens its ticket; of its statements, only the INSERT writes the raw bytes and
    only the read before parsing fetches them: recording the outcome and locking the row leave
    the message in the database."""
    table = InboundMail._meta.db_table
    with CaptureQueriesContext(connection) as captured:
        outcome = receive_mail(_new_request("Alice <alice@alice.example>"), source="pipe")

    assert outcome.outcome == InboundMail.Outcome.CREATED
    mail = InboundMail.objects.get(pk=outcome.mail_id)
    assert bytes(mail.raw).startswith(b"From: Alice")
    on_mail = [q["sql"] for q in captured.captured_queries if table in q["sql"]]
    with_raw = [sql for sql in on_mail if f'{table}"."raw"' in sql or '"raw"' in sql]
    assert [sql.split()[0] for sql in with_raw] == ["INSERT", "SELECT"], with_raw
    assert any(sql.startswith("UPDATE") and '"state"' in sql for sql in on_mail)


@pytest.mark.django_db
def test_r11_sender_is_found_by_the_lower_case_email_index(alice):
    """PostgreSQL only: the sender lookup can use contact_email_unique_ci (lower(email)); an
    email__iexact lookup compiles to UPPER(…) and can use no index at all."""
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN of PostgreSQL's plans")
    with CaptureQueriesContext(connection) as captured:
        assert contact_by_email("  ALICE@Alice.Example ") == alice
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        # A test database holds a handful of contacts: a sequential scan is the cheapest plan
        # there. Forbidding it shows whether an index can answer the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "contact_email_unique_ci" in plan, plan
