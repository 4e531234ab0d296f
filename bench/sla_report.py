"""Benchmark: the monthly SLA report over a million generated tickets on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres sc_sla_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_sla_bench SANTACARE_INSECURE_DEV_KEY=true \
        .venv/bin/python bench/sla_report.py --tickets 1000000

Runs only on a PostgreSQL database whose name contains "bench" (it truncates the tickets).
Rows are generated in SQL (generate_series) in batches; a template ticket saved through the ORM
is copied, so columns added later by other apps are filled the way the ORM fills them. Prints
the time of each step, then each report three times (cold and warm), and rows per second.
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

from datetime import date, datetime  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from santacare.core.time import HELSINKI  # noqa: E402
from santacare.customers.models import Customer  # noqa: E402
from santacare.installbase.models import ServiceLevel  # noqa: E402
from santacare.reports.queries import ReportQuery, sla_report  # noqa: E402
from santacare.sla.models import ClockResult  # noqa: E402
from santacare.tickets.models import Ticket  # noqa: E402

BATCH = 100_000
CUSTOMERS = 200
MAX_TICKETS = 5_000_000
OVERRIDES = {
    "tracking_number": "'B-' || g",
    "customer_id": "({customers})[1 + g %% {nc}]",
    "channel": "(ARRAY['portal','email','phone'])[1 + g %% 3]",
    "priority": "(ARRAY['P1','P2','P3','P4'])[1 + (g * 7) %% 4]",
    "service_level_id": "({levels})[1 + g %% 2]",
    "contract_number": "'SCM-' || (g %% 400)",
    "status": "'closed'",
    # Two years of minutes, scattered: 1,051,200 minutes = 730 days.
    "received_at": "timestamptz '2025-01-01 00:00+02'"
    " + ((g * 7919) %% 1051200) * interval '1 minute'",
    "first_response_at": "NULL",
    "resolved_at": "NULL",
    "closed_at": "NULL",
}


def _fill(template: str, values: dict) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def step(label: str, started: float) -> float:
    now = time.perf_counter()
    print(f"{label:48} {now - started:8.2f} s", flush=True)
    return now


def generate(total: int) -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {ClockResult._meta.db_table}, {Ticket._meta.db_table} "
            "RESTART IDENTITY CASCADE"
        )
    customers = list(
        Customer.objects.filter(name__startswith="Bench ").values_list("pk", flat=True)
    )
    if len(customers) < CUSTOMERS:
        Customer.objects.bulk_create(
            Customer(name=f"Bench {n} Oy", business_id=f"{8000000 + n:07d}-{n % 10}")
            for n in range(len(customers), CUSTOMERS)
        )
        customers = list(
            Customer.objects.filter(name__startswith="Bench ").values_list("pk", flat=True)
        )
    levels = [
        ServiceLevel.objects.get_or_create(name=name, defaults={"coverage": coverage})[0].pk
        for name, coverage in (("SantaCare Basic", "office_hours"), ("SantaCare Advanced", "24x7"))
    ]
    template = Ticket.objects.create(
        tracking_number="B-TEMPLATE",
        customer_id=customers[0],
        channel="portal",
        subject="Bench",
        received_at=datetime(2025, 1, 1, tzinfo=HELSINKI),
    )
    columns = [f.column for f in Ticket._meta.concrete_fields if f.column != "id"]
    values = {
        "customers": "ARRAY[" + ",".join(map(str, customers)) + "]::bigint[]",
        "nc": len(customers),
        "levels": "ARRAY[" + ",".join(map(str, levels)) + "]::bigint[]",
    }
    select = ", ".join(
        _fill(OVERRIDES[c], values) if c in OVERRIDES else f"t.{connection.ops.quote_name(c)}"
        for c in columns
    )
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    insert = (
        f"INSERT INTO {Ticket._meta.db_table} ({names}) SELECT {select} "
        "FROM generate_series(%s::bigint, %s::bigint) AS g, "
        f"{Ticket._meta.db_table} t WHERE t.id = %s"
    )
    for first in range(1, total + 1, BATCH):
        last = min(first + BATCH - 1, total)
        with connection.cursor() as cursor:
            cursor.execute(insert, [first, last, template.pk])
        started = step(f"tickets {first:>9,}–{last:>9,}", started)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Ticket._meta.db_table} WHERE id = %s", [template.pk])
        # Response times 0–599 min for ~90 % of tickets, restore 0–5999 min for ~80 %; targets
        # by priority; the month is the Helsinki month of the ticket, as record_results writes it.
        for clock, spread, share, targets in (
            ("response", 600, 9, "ARRAY[30,60,240,480]"),
            ("restore", 6000, 8, "ARRAY[240,480,1440,2880]"),
        ):
            cursor.execute(
                f"""
                INSERT INTO {ClockResult._meta.db_table}
                  (ticket_id, clock, started_at, stopped_at, target_minutes, elapsed_minutes, met,
                   month, customer_id, contract_number, service_level_id, priority, channel,
                   computed_at)
                SELECT id, %s, received_at, received_at + e * interval '1 minute', tg, e, e <= tg,
                       date_trunc('month', received_at AT TIME ZONE 'Europe/Helsinki')::date,
                       customer_id, contract_number, service_level_id, priority, channel, now()
                FROM (
                  SELECT *, (id * 7907) %% %s AS e,
                         ({targets})[substr(priority, 2, 1)::int] AS tg
                  FROM {Ticket._meta.db_table}
                  WHERE id %% 10 < %s
                ) s
                """,
                [clock, spread, share],
            )
            started = step(f"clock results ({clock})", started)
        cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
        cursor.execute(f"ANALYZE {ClockResult._meta.db_table}")
    step("analyze", started)


def measure(label: str, query: ReportQuery, rows_scanned: int) -> None:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        rows = sla_report(query)
        timings.append(time.perf_counter() - started)
    print(
        f"{label:48} {min(timings):8.2f} s best, {max(timings):6.2f} s worst, "
        f"{len(rows):5} rows, {rows_scanned / min(timings) / 1e6:5.2f} M tickets/s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the generated rows")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Run on a PostgreSQL database whose name contains 'bench' (see the docstring).")
    if not 1 <= args.tickets <= MAX_TICKETS:
        sys.exit(f"--tickets must be 1..{MAX_TICKETS}")
    call_command("migrate", verbosity=0)
    if not args.reuse:
        generate(args.tickets)
    total = Ticket.objects.count()
    results = ClockResult.objects.count()
    print(f"tickets {total:,}, clock results {results:,}")
    year = ReportQuery(
        group_by="priority", first_month=date(2025, 1, 1), last_month=date(2026, 12, 1)
    )
    measure("all customers × priority, 24 months", year, total)
    month = ReportQuery(
        group_by="priority", first_month=date(2026, 3, 1), last_month=date(2026, 3, 1)
    )
    measure("all customers × priority, one month", month, total)
    measure(
        "all customers × customer, 24 months",
        ReportQuery(
            group_by="customer", first_month=date(2025, 1, 1), last_month=date(2026, 12, 1)
        ),
        total,
    )
    one = Customer.objects.filter(name="Bench 7 Oy").values_list("pk", flat=True).first()
    measure(
        "one customer × contract, 24 months",
        ReportQuery(
            group_by="contract",
            customer_id=one,
            first_month=date(2025, 1, 1),
            last_month=date(2026, 12, 1),
        ),
        total,
    )


if __name__ == "__main__":
    main()
