"""A large desk in one statement per table: customers, agents, tickets and their conversations.

The plan tests need a table of real size: at a few hundred rows PostgreSQL rightly reads
everything, and a test on that proves nothing. Rows are made inside PostgreSQL
(generate_series), so 100,000 tickets take seconds rather than the minutes that factories
would. The words are Finnish and English support vocabulary, so the Finnish text search
configuration has real stems to index. PostgreSQL only.

By hand, into a development database (the migrations applied first):
    DATABASE_URL=postgres://... .venv/bin/python -m tests.perf.corpus 1000000
"""

import sys
from dataclasses import dataclass
from typing import Any

from django.db import connection

WORDS = [
    "kaapeli",
    "kaapelin",
    "kaapelit",
    "reititin",
    "reitittimen",
    "kytkin",
    "kytkimen",
    "virtalähde",
    "virtalähteen",
    "tuuletin",
    "tuulettimen",
    "levy",
    "vika",
    "vikaantui",
    "katkos",
    "katkeaa",
    "yhteys",
    "yhteyden",
    "palomuuri",
    "lisenssi",
    "päivitys",
    "ohjelmisto",
    "portti",
    "portin",
    "linkki",
    "linkin",
    "hälytys",
    "lämpötila",
    "kuitu",
    "moduuli",
    "moduulin",
    "asiakas",
    "toimipiste",
    "verkko",
    "verkon",
    "hidas",
    "toimi",
    "ei",
    "toimi",
    "router",
    "switch",
    "power",
    "supply",
    "fan",
    "outage",
    "link",
    "firmware",
    "license",
    "module",
    "alarm",
    "fiber",
    "interface",
    "flapping",
    "reboot",
    "crash",
    "memory",
]


VOCABULARY = 5000


@dataclass(frozen=True)
class Corpus:
    tickets: int
    customers: int
    big_customer_id: int
    small_customer_id: int
    agent_id: int
    open_tickets: int


def fill(
    tickets: int,
    *,
    customers: int = 500,
    messages_per_ticket: int = 3,
    words: tuple[int, int, int] = (4, 25, 30),
) -> Corpus:
    """Add `tickets` tickets (a ninth of them to one big customer, 10 % open) and their
    messages, then ANALYZE, so the planner knows the sizes as it would in production.
    `words`: how many words a subject, a description and a message have."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        # Words drawn by a Zipf-like law over a vocabulary of VOCABULARY words: the real words
        # sit at ranks 20, 40, … so some are in a fifth of the tickets and others in a few
        # hundred, as in a real desk; the other ranks are filler tokens. A function's body is
        # DDL, which takes no server-side parameters: the values are quoted in client-side.
        compose = connection.ops.compose_sql
        cursor.execute(
            compose(
                "CREATE OR REPLACE FUNCTION pg_temp.sc_word(r int) RETURNS text LANGUAGE sql "
                "IMMUTABLE AS $$ SELECT CASE WHEN r %% 20 = 0 AND r / 20 <= %s "
                "THEN (%s::text[])[r / 20] ELSE 'w' || r END $$",
                [len(WORDS), list(WORDS)],
            )
        )
        cursor.execute(
            compose(
                "CREATE OR REPLACE FUNCTION pg_temp.sc_words(n int) RETURNS text LANGUAGE sql "
                "VOLATILE AS $$ SELECT string_agg(pg_temp.sc_word("
                "floor(exp(random() * ln(%s)))::int), ' ') FROM generate_series(1, n) $$",
                [VOCABULARY],
            )
        )
        cursor.execute(
            """
            INSERT INTO customers_customer
                (created_at, updated_at, name, business_id, language, is_active, mfa_required)
            SELECT now(), now(), 'Corpus ' || g || ' Oy', lpad(g::text, 7, '0') || '-C',
                   'fi', true, false
            FROM generate_series(1, %s) g
            RETURNING id
            """,
            [customers],
        )
        customer_ids = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            """
            INSERT INTO customers_contact (created_at, updated_at, name, email, phone, job_role,
                is_technical, language, is_active, customer_id)
            SELECT now(), now(), 'Contact ' || c.id, 'contact' || c.id || '@corpus.example',
                   '', '', true, 'fi', true, c.id
            FROM customers_customer c WHERE c.id = ANY(%s)
            """,
            [customer_ids],
        )
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, full_name, role, language,
                is_active, is_staff, date_joined)
            SELECT '!', false, 'agent' || g || '@corpus.example', 'Agent ' || g, 'agent', 'fi',
                   true, true, now()
            FROM generate_series(1, 20) g
            RETURNING id
            """
        )
        agent_ids = sorted(row[0] for row in cursor.fetchall())
        _load_tickets(cursor, tickets, messages_per_ticket, words, customer_ids, agent_ids)
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket WHERE tracking_number LIKE 'SCX-%%' "
            "AND status <> 'closed'"
        )
        (open_tickets,) = cursor.fetchone()
    return Corpus(
        tickets=tickets,
        customers=customers,
        big_customer_id=customer_ids[0],
        small_customer_id=customer_ids[-1],
        agent_id=agent_ids[0],
        open_tickets=open_tickets,
    )


def _load_tickets(
    cursor: Any,
    tickets: int,
    messages: int,
    words: tuple[int, int, int],
    customer_ids: list[int],
    agent_ids: list[int],
) -> None:
    """Tickets and messages with their search vectors made in the same pass.

    The triggers of migration tickets 0008 would add each message's words to its ticket with
    one row update per message, and the GIN indexes would take every row one by one: minutes
    at this size. So the triggers are off and the indexes gone while loading, the vectors are
    computed as the triggers would, and the indexes are built afresh at the end.
    """
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid), i.indexrelid::regclass::text FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
        "WHERE i.indrelid = 'tickets_ticket'::regclass AND a.amname = 'gin'"
    )
    gin_indexes = cursor.fetchall()
    for _definition, name in gin_indexes:
        cursor.execute(f"DROP INDEX {name}")
    cursor.execute("ALTER TABLE tickets_ticket DISABLE TRIGGER tickets_ticket_search_insert")
    cursor.execute("ALTER TABLE tickets_message DISABLE TRIGGER tickets_message_search_insert")
    cursor.execute(
        "CREATE TEMPORARY TABLE corpus_text AS "
        "SELECT g, n, pg_temp.sc_words(%s) AS body "
        "FROM generate_series(1, %s) g, generate_series(1, %s) n",
        [words[2], tickets, messages],
    )
    cursor.execute("CREATE INDEX ON corpus_text (g)")
    cursor.execute(
        """
        INSERT INTO tickets_ticket (created_at, updated_at, tracking_number, channel, subject,
            description, priority, status, language, serial_number, device_type,
            contract_number, service_level_name, hardware_fault, delivery_address,
            delivery_contact, missing_information, phone_call_required, out_of_contract,
            received_at, first_response_at, customer_id, contact_id, assignee_id,
            sla_due_at, sla_warning_at, search_vector, internal_search_vector)
        SELECT t.received, t.received, 'SCX-' || g, 'email', t.subject, t.description,
               (ARRAY['P1','P2','P3','P3','P4'])[1 + g %% 5],
               CASE WHEN g %% 10 = 0 THEN
                    (ARRAY['new','info_requested','in_progress','waiting_on_customer'])
                    [1 + (g / 10) %% 4]
                    ELSE 'closed' END,
               'fi', 'FOC' || lpad(to_hex(g * 7919), 8, '0') || 'X', 'C9300-48P', '', '',
               false, '', '', '[]', false, false,
               t.received, t.received + interval '1 hour', t.customer,
               NULL, CASE WHEN g %% 3 = 0 THEN NULL ELSE (%s::bigint[])[1 + g %% 20] END,
               -- sla.due_index's copy: a counting clock on the open tickets not waiting.
               CASE WHEN g %% 10 = 0 AND (g / 10) %% 4 <> 3
                    THEN t.received + interval '4 hours' END,
               CASE WHEN g %% 10 = 0 AND (g / 10) %% 4 <> 3
                    THEN t.received + interval '3 hours' END,
               setweight(to_tsvector('finnish', t.subject), 'A')
                   || setweight(to_tsvector('finnish', t.description), 'B')
                   || setweight(to_tsvector('finnish', 'C9300-48P'), 'C')
                   || to_tsvector('finnish', coalesce(m.public_text, '')),
               to_tsvector('finnish', coalesce(m.internal_text, ''))
        FROM generate_series(1, %s) g,
             LATERAL (SELECT now() - (interval '3 years') * (1 - g::float / %s) AS received,
                      CASE WHEN g %% 9 = 1 THEN %s::bigint
                           ELSE (%s::bigint[])[1 + floor(random() * %s)::int] END AS customer,
                      pg_temp.sc_words(%s) AS subject, pg_temp.sc_words(%s) AS description
             ) t,
             LATERAL (SELECT string_agg(body, ' ') FILTER (WHERE n <> 2) AS public_text,
                             string_agg(body, ' ') FILTER (WHERE n = 2) AS internal_text
                      FROM corpus_text c WHERE c.g = g.g) m
        """,
        [
            agent_ids,
            tickets,
            tickets,
            customer_ids[0],
            customer_ids,
            len(customer_ids),
            words[0],
            words[1],
        ],
    )
    # The second message of each ticket is an agent's internal note.
    cursor.execute(
        """
        INSERT INTO tickets_message (created_at, updated_at, visibility, direction, channel,
            author_email, body, body_html, email_message_id, ticket_id, held_for_review)
        SELECT t.received_at + c.n * interval '2 hours', t.received_at + c.n * interval '2 hours',
               CASE WHEN c.n = 2 THEN 'internal' ELSE 'public' END,
               CASE WHEN c.n = 2 THEN 'internal' WHEN c.n = 1 THEN 'outbound' ELSE 'inbound' END,
               'email', '', c.body, '', '', t.id, false
        FROM corpus_text c JOIN tickets_ticket t ON t.tracking_number = 'SCX-' || c.g
        """
    )
    cursor.execute("ALTER TABLE tickets_ticket ENABLE TRIGGER tickets_ticket_search_insert")
    cursor.execute("ALTER TABLE tickets_message ENABLE TRIGGER tickets_message_search_insert")
    cursor.execute("DROP TABLE corpus_text")
    for definition, _name in gin_indexes:
        cursor.execute(definition)


if __name__ == "__main__":
    import django

    django.setup()
    print(fill(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
