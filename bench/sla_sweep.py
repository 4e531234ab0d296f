"""Benchmark: the minutely SLA sweep over N open tickets on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres sc_sweep_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_sweep_bench SANTACARE_INSECURE_DEV_KEY=true \
        .venv/bin/python bench/sla_sweep.py --open 20000

Runs only on a PostgreSQL database whose name contains "bench" (it truncates the tickets).
The open tickets were received over the hours before the sweep (--hours, default 8), on both
service levels and all priorities; nine in ten have had their first response, whose results
are recorded. Times sweeps at one instant: the first (every open ticket, its notices sent), the
steady one that follows each minute, one with the cache emptied (every open ticket again, as
after an edited target) and a steady one again. Prints wall and CPU seconds (this process's;
the database's work shows in the wall time) and queries. --reuse skips making the tickets.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santacare.settings")

import django  # noqa: E402

django.setup()

from datetime import datetime  # noqa: E402

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402

from santacare.core.time import HELSINKI  # noqa: E402
from santacare.customers.models import Customer  # noqa: E402
from santacare.installbase.models import ServiceLevel  # noqa: E402
from santacare.sla.models import ClockResult, SlaNotice  # noqa: E402
from santacare.sla.notifications import sweep  # noqa: E402
from santacare.sla.services import seed_default_targets  # noqa: E402
from santacare.tickets.models import Ticket  # noqa: E402

NOW = datetime(2026, 6, 24, 12, 0, tzinfo=HELSINKI)
MAX_OPEN = 1_000_000
OVERRIDES = {
    "tracking_number": "'W-' || g",
    "customer_id": "%(customer)s",
    "priority": "(ARRAY['P1','P2','P3','P4'])[1 + (g * 7) %% 4]",
    "service_level_id": "(%(levels)s::bigint[])[1 + g %% 2]",
    "status": "(ARRAY['new','in_progress','in_progress'])[1 + g %% 3]",
    # The hours before the sweep, scattered minute by minute.
    "received_at": "%(now)s::timestamptz - ((g * 7919) %% %(minutes)s) * interval '1 minute'",
    "first_response_at": "CASE WHEN g %% 10 = 0 THEN NULL ELSE %(now)s::timestamptz"
    " - ((g * 7919) %% %(minutes)s) * interval '1 minute' + interval '10 minutes' END",
    "resolved_at": "NULL",
    "closed_at": "NULL",
    "sla_due_at": "NULL",
    "sla_warning_at": "NULL",
}


def generate(count: int, hours: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {ClockResult._meta.db_table}, {SlaNotice._meta.db_table}, "
            f"{Ticket._meta.db_table} RESTART IDENTITY CASCADE"
        )
    customer, _ = Customer.objects.get_or_create(
        name="Sweep Bench Oy", defaults={"business_id": "8000001-7"}
    )
    levels = [
        ServiceLevel.objects.get_or_create(name=name, defaults={"coverage": coverage})[0].pk
        for name, coverage in (("SantaCare Basic", "office_hours"), ("SantaCare Advanced", "24x7"))
    ]
    seed_default_targets()
    template = Ticket.objects.create(
        tracking_number="W-TEMPLATE",
        customer=customer,
        channel="portal",
        subject="Bench",
        received_at=NOW,
    )
    columns = [f.column for f in Ticket._meta.concrete_fields if f.column != "id"]
    select = ", ".join(
        OVERRIDES[c] if c in OVERRIDES else f"t.{connection.ops.quote_name(c)}" for c in columns
    )
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Ticket._meta.db_table} ({names}) SELECT {select} "
            f"FROM generate_series(1, %(count)s) AS g, {Ticket._meta.db_table} t "
            "WHERE t.id = %(template)s",
            {
                "customer": customer.pk,
                "levels": levels,
                "now": NOW,
                "count": count,
                "minutes": hours * 60,
                "template": template.pk,
            },
        )
        cursor.execute(f"DELETE FROM {Ticket._meta.db_table} WHERE id = %s", [template.pk])
        # The responses' results, as earlier sweeps recorded them: no backlog of stops.
        cursor.execute(
            f"""
            INSERT INTO {ClockResult._meta.db_table}
              (ticket_id, clock, started_at, stopped_at, target_minutes, elapsed_minutes, met,
               month, customer_id, contract_number, service_level_id, priority, channel,
               computed_at)
            SELECT id, 'response', received_at, first_response_at, 60, 10, true,
                   date_trunc('month', received_at AT TIME ZONE 'Europe/Helsinki')::date,
                   customer_id, contract_number, service_level_id, priority, channel, now()
            FROM {Ticket._meta.db_table} WHERE first_response_at IS NOT NULL
            """
        )
        cursor.execute(f"ANALYZE {Ticket._meta.db_table}")


def timed(label: str) -> None:
    reset_queries()
    wall, cpu = time.perf_counter(), time.process_time()
    result = sweep(now=NOW)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{label:34} {wall:7.2f} s {cpu:7.2f} s CPU {len(connection.queries):6} queries  "
        f"checked {getattr(result, 'checked', '?')}, warnings {result.warnings}, "
        f"breaches {result.breaches}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the tickets and notices of the last run"
    )
    parser.add_argument("--hours", type=int, default=8, help="received over this many hours")
    args = parser.parse_args()
    if not 1 <= args.open <= MAX_OPEN:
        sys.exit(f"--open must be 1..{MAX_OPEN}")
    if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
        sys.exit("needs a PostgreSQL database whose name contains 'bench' (it truncates tickets)")
    call_command("migrate", verbosity=0)
    connection.force_debug_cursor = True  # count the queries
    if not args.reuse:
        started = time.perf_counter()
        generate(args.open, args.hours)
        print(f"{args.open:,} open tickets generated in {time.perf_counter() - started:.1f} s")
        cache.clear()
        timed("first sweep (all, notices sent)")
    timed("steady sweep (the next minute)")
    cache.clear()
    timed("all open tickets (cache emptied)")
    timed("steady sweep again")


if __name__ == "__main__":
    main()
