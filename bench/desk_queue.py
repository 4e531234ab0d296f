"""Benchmark: the desk queue over many tickets on PostgreSQL — the page, the live poll's 304,
and the plan of the next-breach order.

    createdb -h 127.0.0.1 -U postgres sc_queue_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_queue_bench SANTACARE_INSECURE_DEV_KEY=true \
        .venv/bin/python bench/desk_queue.py --tickets 200000

Runs only on a PostgreSQL database whose name contains "bench" (it truncates the tickets). The
tickets come from bench/sla_report.py's generator; every tenth is then made open, with a next
due time as santacare.sla.due_index would have stored it. Prints each timing and query count.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from sla_report import generate  # noqa: E402 - also sets Django up

from santacare.accounts.models import User  # noqa: E402
from santacare.core.time import now  # noqa: E402
from santacare.desk.queues import Filters, Queue, Sort, filtered_tickets, sorted_tickets  # noqa: E402
from santacare.tickets.models import Ticket  # noqa: E402

ROUNDS = 5


def timed(label: str, request) -> None:
    times, queries = [], 0
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = request()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    best, worst = min(times) * 1000, max(times) * 1000
    in_sql = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    print(
        f"{label:40} {response.status_code} {queries:2} queries {best:7.1f}–{worst:7.1f} ms"
        f" (last round: {in_sql:6.1f} ms in SQL)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Run on a PostgreSQL database whose name contains 'bench'.")
    call_command("migrate", verbosity=0)
    if Ticket.objects.count() < args.tickets:  # a second run reuses the generated tickets
        generate(args.tickets)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} SET status = 'in_progress', "
            "sla_due_at = now() + ((id * 7919) % 20000 - 2000) * interval '1 minute', "
            "sla_warning_at = now() + ((id * 7919) % 20000 - 4000) * interval '1 minute' "
            "WHERE id % 10 = 0"
        )
        cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
    agent, _ = User.objects.get_or_create(
        email="bench-agent@santacare.example", defaults={"role": User.Role.AGENT}
    )
    # The test client's host, over "HTTPS", as a browser behind the proxy would ask.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The bench agent has no second factor; the page is measured, not the login.
    settings.MFA_REQUIRED_FOR_STAFF = False
    client = Client(headers={"accept-language": "en"}, secure=True)
    client.force_login(agent)
    for queue in (Queue.ALL, Queue.UNASSIGNED, Queue.AT_RISK):
        timed(f"queue page, {queue}", lambda q=queue: client.get("/desk/", {"queue": q}))
    timed("queue page, sorted by customer", lambda: client.get("/desk/", {"sort": "customer"}))
    etag = client.get("/desk/", {"live": "1"})["ETag"]
    timed(
        "live poll, nothing changed (304)",
        lambda: client.get("/desk/", {"live": "1"}, headers={"if-none-match": etag}),
    )
    for queue in (Queue.ALL, Queue.UNASSIGNED):
        rows = sorted_tickets(filtered_tickets(agent, Filters(queue=queue), moment=now()), Sort.DUE)
        print(f"\nEXPLAIN ANALYZE next breach, {queue}:")
        print(rows[:51].explain(analyze=True))


if __name__ == "__main__":
    main()
