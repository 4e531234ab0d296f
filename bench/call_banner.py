"""Benchmark: the desk's incoming-call banner poll and the phone system's caller lookup (R7).

    .venv/bin/python bench/call_banner.py                        # a fresh SQLite under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench .venv/bin/python bench/call_banner.py

Loads the demo data, then 20,000 past calls over 400 extensions and 20,000 contacts with phone
numbers; prints the queries and milliseconds of a banner poll (no call; the same call again;
a new call, drawn in full) and of a lookup by number, and the database's plan for both.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santacare.settings")
os.environ.setdefault("SANTACARE_INSECURE_DEV_KEY", "true")
os.environ["SANTACARE_VAR_DIR"] = tempfile.mkdtemp(prefix="sc-call-bench-")
os.environ["ALLOWED_HOSTS"] = "testserver"
# The demo mode lets staff in without a second factor, as `make run` does.
os.environ.setdefault("SANTACARE_DEMO", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from santacare.accounts.models import User  # noqa: E402
from santacare.core.time import now  # noqa: E402
from santacare.customers.models import Contact, Customer  # noqa: E402
from santacare.customers.tokens import issue_token  # noqa: E402
from santacare.demo.data import load_demo_data  # noqa: E402
from santacare.telephony.lookup import current_calls  # noqa: E402
from santacare.telephony.models import Call  # noqa: E402

ROUNDS = 200
PAST_CALLS = 20_000
CONTACTS = 20_000


def timed(label: str, request) -> None:
    queries: list[str] = []
    # A wrapper, not CaptureQueriesContext: each request's start clears Django's query log.
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        request()
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(  # noqa: T201
        f"{label:<38} {response.status_code}  {len(queries)} queries  "
        f"median {statistics.median(times):.2f} ms  p95 {times[int(len(times) * 0.95)]:.2f} ms"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_demo_data(password="bench-password-2026")  # noqa: S106
    agent = User.objects.get(email="agentti@santacare.example")
    moment = now()
    customer = Customer.objects.get(business_id="1234567-1")
    if not Contact.objects.filter(email="bench-0@bench.example").exists():
        Contact.objects.bulk_create(
            Contact(
                customer=customer,
                name=f"Bench {n}",
                email=f"bench-{n}@bench.example",
                phone=f"050 {n:07d}",
                phone_e164=f"+35850{n:07d}",
            )
            for n in range(CONTACTS)
        )
        Call.objects.bulk_create(
            Call(
                call_id=f"past-{n}",
                direction="in",
                from_number=f"050 {n:07d}",
                number_e164=f"+35850{n:07d}",
                extension=str(300 + n % 400),
                state="ended",
                started_at=moment - timedelta(minutes=n),
                ended_at=moment - timedelta(minutes=n) + timedelta(minutes=3),
            )
            for n in range(PAST_CALLS)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(agent)
    Call.objects.filter(call_id="bench-live").delete()
    timed("banner, no call", lambda: client.get("/desk/calls/incoming/"))
    live = Call.objects.create(
        call_id="bench-live",
        direction="in",
        from_number="040 111 2222",
        number_e164="+358401112222",
        extension="201",
        started_at=now(),
    )
    timed(
        "banner, the same call again (204)",
        lambda: client.get("/desk/calls/incoming/", {"shown": f"{live.pk}:ringing"}),
    )
    timed("banner, a new call drawn in full", lambda: client.get("/desk/calls/incoming/"))
    switchboard, _ = User.objects.get_or_create(
        email="pbx@santacare.example", defaults={"role": User.Role.AGENT}
    )
    token = issue_token(name="bench", user=switchboard)[1]
    api = Client(headers={"authorization": f"Bearer {token}"})
    timed("API lookup by number", lambda: api.get("/api/v1/calls/lookup", {"number": "0401112222"}))
    print("\nbanner query plan:")  # noqa: T201
    print(current_calls("201", now=now())[:1].explain())  # noqa: T201
    print("\nlookup query plan:")  # noqa: T201
    print(Contact.objects.filter(phone_e164="+358401112222", is_active=True).explain())  # noqa: T201
    live.delete()


if __name__ == "__main__":
    main()
