"""Our mail ingest, one process per measurement (started by bench/run.py with DATABASE_URL set).

    ingest.py prepare SIZE        migrate, demo data, the generated customers (SQLite: and a
                                  small install base; PostgreSQL gets the whole data set from
                                  bench/generate.py)
    ingest.py run RUN COUNT       COUNT mails of the corpus through `receive_mail_batch`, the
                                  path of an IMAP fetch and the sweep (store raw in one INSERT,
                                  commit, parse, route 50 a transaction, ack in the outbox);
                                  JSON out: mails, seconds, CPU, SQL statements
    ingest.py run-pipe RUN COUNT  the same through `receive_mail`, one mail at a time, the path
                                  of `santacare mailgate` (an MTA pipe: a process per mail)
    ingest.py profile RUN COUNT   `run` under cProfile; the top of the profile on stderr
    ingest.py sessions            JSON: session cookies of an agent and a portal user, an API
                                  token, the tickets and device the HTTP bench asks for
    ingest.py sla                 JSON: SLA clocks per second, the sweep over the open tickets,
                                  the monthly report (medians of 3)

Exactly-once semantics included either way: the same code stores, claims and records.
"""

import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# BENCH_SRC: another checkout's src/ (an earlier commit), to measure before and after a change.
sys.path.insert(0, os.environ.get("BENCH_SRC") or str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santacare.settings")
os.environ.setdefault("SANTACARE_INSECURE_DEV_KEY", "true")
# Every run mails from the same 100 contacts: past 20 runs in an hour the per-sender cap would
# hold the new requests, and the bench would measure refusals. The cap is still checked.
os.environ.setdefault("MAILGATE_NEW_TICKETS_PER_SENDER_PER_HOUR", "1000000")

import django  # noqa: E402

django.setup()

import corpus  # noqa: E402
import generate  # noqa: E402
import sla_clocks  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from santacare.accounts.models import User  # noqa: E402
from santacare.calendars.coverage import OFFICE_HOURS  # noqa: E402
from santacare.core.time import helsinki, now  # noqa: E402
from santacare.customers.models import Contact  # noqa: E402
from santacare.customers.tokens import issue_token  # noqa: E402
from santacare.demo.data import load_demo_data  # noqa: E402
from santacare.installbase.models import Device  # noqa: E402
from santacare.mailgate.batch import receive_mail_batch  # noqa: E402
from santacare.mailgate.inbound import receive_mail  # noqa: E402
from santacare.reports.queries import ReportQuery, sla_report  # noqa: E402
from santacare.sla import notifications  # noqa: E402
from santacare.sla.notifications import sweep  # noqa: E402
from santacare.tickets.models import Ticket  # noqa: E402

SENDERS = 100


def prepare(size: str) -> None:
    call_command("migrate", verbosity=0)
    load_demo_data(password="bench-only-password")
    if connection.vendor == "postgresql":
        generate.generate(size)
    else:
        generate.devices_sqlite(generate.small_tables("small"))


def run(run_number: int, count: int, *, batch: bool = True) -> dict[str, float]:
    senders = generate.mail_senders(SENDERS)
    queries = 0

    def count_queries(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    outcomes: dict[str, int] = {}

    def one(raw: bytes) -> str | None:
        outcome = receive_mail(raw, source="pipe")
        outcomes[outcome.outcome] = outcomes.get(outcome.outcome, 0) + 1
        return outcome.tracking_number

    def many(raws: list[bytes]) -> list[str | None]:
        results = receive_mail_batch(raws, source="imap")
        for outcome in results:
            outcomes[outcome.outcome] = outcomes.get(outcome.outcome, 0) + 1
        return [outcome.tracking_number for outcome in results]

    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count_queries):
        if batch:
            new, replies = run_corpus_batched(run_number, count, senders, many)
        else:
            new, replies = corpus.run_corpus(run_number, count, senders, one, lambda t: f"[{t}]")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "mails": new + replies,
        "seconds": wall,
        "cpu": cpu,
        "queries": queries,
        "outcomes": outcomes,  # type: ignore[dict-item]
    }


def run_corpus_batched(
    run_number: int,
    count: int,
    senders: list[tuple[str, str]],
    ingest: Callable[[list[bytes]], list[str | None]],
) -> tuple[int, int]:
    """corpus.run_corpus's mails, as a mailbox holds them: the new half fetched at once, then
    a reply to each ticket it opened."""
    half = count // 2
    opened = ingest(
        [corpus.new_request(run_number, i, *senders[i % len(senders)]) for i in range(half)]
    )
    replies = [
        corpus.reply(run_number, i, senders[i % len(senders)][0], f"[{ticket}]")
        for i, ticket in enumerate(opened)
        if ticket is not None
    ]
    ingest(replies)
    return half, len(replies)


def sessions() -> dict[str, str]:
    agent = User.objects.get(email="agentti@santacare.example")
    customer_user = User.objects.get(email="tekninen@esimerkki.fi")
    contact = Contact.objects.get(user=customer_user)
    cookies = {}
    for name, user in (("agent", agent), ("customer", customer_user)):
        client = Client()
        client.force_login(user)
        # Staff must pass a second factor (SecondFactorMiddleware); the bench's agent session
        # records one as allauth does after a TOTP code, so pages answer instead of redirecting.
        session = client.session
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [
            {"method": "mfa", "at": time.time(), "type": "totp"}
        ]
        session.save()
        cookies[name] = session.session_key
    _token, raw = issue_token(name="bench", contact=contact)
    own = Ticket.objects.filter(customer=contact.customer, status="in_progress").order_by("-id")
    ticket = own.values_list("tracking_number", flat=True)[0]
    # A device of the company under its contract, so the POST opens a ticket (not a 404).
    device = (
        Device.objects.filter(customer=contact.customer, contract__isnull=False)
        .order_by("pk")
        .values_list("serial_number", flat=True)[0]
    )
    return {**cookies, "api_token": raw, "ticket": ticket, "device": device}


def median_seconds(work: Callable[[], object]) -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def median_clocks(count: int, *, explain: bool) -> tuple[float, float]:
    """Clocks per second by wall and by CPU time, medians of 3, timing only the clocks (the
    random inputs are made first, untimed)."""
    runs = [
        sla_clocks.run(count, kind=OFFICE_HOURS, paused=True, explain=explain) for _ in range(3)
    ]
    return (
        count / statistics.median(wall for wall, _ in runs),
        count / statistics.median(cpu for _, cpu in runs),
    )


def timed_sweep(before: Callable[[], object] = lambda: None) -> tuple[float, float]:
    """Median wall and CPU seconds of three sweeps (CPU: this process's, without the
    database's own work, which shows in the wall time)."""
    walls, cpus = [], []
    for _ in range(3):
        before()
        wall, cpu = time.perf_counter(), time.process_time()
        sweep(now=now())
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def sla() -> dict[str, float]:
    clocks = 20_000
    clocks_per_s, clocks_per_cpu_s = median_clocks(clocks, explain=False)
    explained_per_s, _ = median_clocks(clocks // 4, explain=True)
    open_tickets = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).count()
    # The first sweep sends every notice the generated history makes due, so it is timed once
    # and apart. Then the sweep as it runs each minute (only tickets that can need a notice),
    # and a sweep that recomputes every open ticket, as after an edited target or calendar.
    started = time.perf_counter()
    sweep(now=now())
    first_sweep = time.perf_counter() - started
    steady_sweep, _ = timed_sweep()
    every_ticket_sweep, every_ticket_cpu = timed_sweep(
        lambda: cache.delete(notifications.RULES_KEY)
    )
    month = helsinki(now()).date().replace(day=1)
    report = median_seconds(lambda: sla_report(ReportQuery(first_month=month, last_month=month)))
    year = median_seconds(
        lambda: sla_report(
            ReportQuery(first_month=month.replace(year=month.year - 1), last_month=month)
        )
    )
    return {
        "clocks_per_s": clocks_per_s,
        "clocks_per_cpu_s": clocks_per_cpu_s,
        "clocks_explained_per_s": explained_per_s,
        "open_tickets": open_tickets,
        "first_sweep_s": first_sweep,
        "steady_sweep_s": steady_sweep,
        "full_sweep_s": every_ticket_sweep,
        "full_sweep_cpu_s": every_ticket_cpu,
        "report_month_s": report,
        "report_year_s": year,
        "tickets": Ticket.objects.count(),
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        prepare(sys.argv[2])
    elif command == "run":
        print(json.dumps(run(int(sys.argv[2]), int(sys.argv[3]))))
    elif command == "run-pipe":
        print(json.dumps(run(int(sys.argv[2]), int(sys.argv[3]), batch=False)))
    elif command == "sessions":
        print(json.dumps(sessions()))
    elif command == "sla":
        print(json.dumps(sla()))
    elif command == "profile":
        profiler = cProfile.Profile()
        profiler.enable()
        result = run(int(sys.argv[2]), int(sys.argv[3]))
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        sys.stderr.write(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        sys.stderr.write(out.getvalue())
        print(json.dumps(result))
