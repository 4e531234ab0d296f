"""The floor: what the same mails cost with nothing but the standard library's parser and one
bulk insert of the same rows (a stored mail, a ticket for each new request, a message each).

    floor.py RUN COUNT        (DATABASE_URL: the bench's PostgreSQL database)

No checks, no threading, no acknowledgement: the least any desk can do. JSON out, as
bench/ingest.py prints it. Uses psycopg directly; tables `bench_floor_*` of its own.
"""

import email
import email.policy
import json
import os
import re
import sys
import time
from datetime import UTC, datetime

import corpus
import psycopg

SCHEMA = """
CREATE TABLE IF NOT EXISTS bench_floor_mail (id bigserial PRIMARY KEY, raw bytea, message_id
  text UNIQUE, from_address text, subject text, received_at timestamptz);
CREATE TABLE IF NOT EXISTS bench_floor_ticket (id bigserial PRIMARY KEY, contact text, subject
  text, description text, received_at timestamptz);
CREATE TABLE IF NOT EXISTS bench_floor_message (id bigserial PRIMARY KEY, ticket_id bigint,
  body text, email_message_id text, created_at timestamptz);
"""
TAG = re.compile(r"\[F-(\d+)\]")


def parse(raw: bytes) -> tuple[str, str, str, str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    return str(message["Message-ID"]), str(message["From"]), str(message["Subject"]), text


def main(run: int, count: int) -> dict[str, float]:
    senders = [(f"tech0.c{n}@bench{n}.example", f"BX{n:08d}") for n in range(100)]
    mails, tickets, messages = [], [], []
    moment = datetime.now(UTC)

    def one(raw: bytes) -> str | None:
        message_id, sender, subject, text = parse(raw)
        mails.append((raw, message_id, sender, subject, moment))
        match = TAG.search(subject)
        if match:
            ticket = int(match[1])
        else:
            tickets.append((sender, subject, text, moment))
            ticket = len(tickets)
        messages.append((ticket, text, message_id, moment))
        return str(ticket)

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(SCHEMA)
        connection.execute("TRUNCATE bench_floor_mail, bench_floor_ticket, bench_floor_message")
    cpu, wall = time.process_time(), time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        new, replies = corpus.run_corpus(run, count, senders, one, lambda t: f"[F-{t}]")
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_floor_mail (raw, message_id, from_address, subject, "
                "received_at) VALUES (%s, %s, %s, %s, %s)",
                mails,
            )
            cursor.executemany(
                "INSERT INTO bench_floor_ticket (contact, subject, description, received_at) "
                "VALUES (%s, %s, %s, %s)",
                tickets,
            )
            cursor.executemany(
                "INSERT INTO bench_floor_message (ticket_id, body, email_message_id, created_at) "
                "VALUES (%s, %s, %s, %s)",
                messages,
            )
        connection.commit()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"mails": new + replies, "seconds": wall, "cpu": cpu, "queries": 4}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
