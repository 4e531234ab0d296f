"""Benchmark: inbound mail end to end (store raw, parse, intake, acknowledgement in the outbox).

    .venv/bin/python bench/mail_ingest.py --mails 400                 # a fresh SQLite under /tmp
    createdb -h 127.0.0.1 -U postgres sc_mail_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_mail_bench .venv/bin/python \
        bench/mail_ingest.py --mails 400

On PostgreSQL it runs only on a database whose name contains "bench" (it migrates and loads the
demo data there). Half the mails open tickets (from 50 technical contacts, so the per-sender
rate cap does not hold any), half reply to them with `VS: [SC-…]`. Prints mails per second for
each half and the ratio of reply to new-ticket throughput. Bounded: at most 5,000 mails.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santacare.settings")
os.environ.setdefault("SANTACARE_INSECURE_DEV_KEY", "true")
if not os.environ.get("DATABASE_URL"):
    os.environ["SANTACARE_VAR_DIR"] = tempfile.mkdtemp(prefix="sc-mail-bench-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from santacare.customers.models import Contact, Customer  # noqa: E402
from santacare.demo.data import load_demo_data  # noqa: E402
from santacare.mailgate.inbound import receive_mail  # noqa: E402

MAX_MAILS = 5_000
SENDERS = 50


def new_request(number: int, sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@santacare.example\r\n"
        f"Message-ID: <bench-new-{number}@esimerkki.fi>\r\n"
        f"Subject: Kytkin ei käynnisty {number}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hei, Catalyst FOC2233X0AB ei käynnisty sähkökatkon jälkeen.\r\n"
    ).encode()


def reply(number: int, sender: str, tracking_number: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@santacare.example\r\n"
        f"Message-ID: <bench-reply-{number}@esimerkki.fi>\r\n"
        f"Subject: VS: [{tracking_number}] Kytkin ei käynnisty\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Kokeilimme toista virtalähdettä.\r\n\r\nLähettäjä: SantaCare\r\nAihe: x\r\n"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=400)
    count = min(parser.parse_args().mails, MAX_MAILS) // 2
    if connection.vendor == "postgresql" and "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Refusing: use a PostgreSQL database whose name contains 'bench'.")

    call_command("migrate", verbosity=0)
    load_demo_data(password="bench-only-password")
    customer = Customer.objects.get(business_id="1234567-1")
    senders = [
        Contact.objects.update_or_create(
            email=f"bench{i}@esimerkki.fi",
            defaults={"customer": customer, "name": f"Bench {i}", "is_technical": True},
        )[0].email
        for i in range(SENDERS)
    ]

    started = time.perf_counter()
    outcomes = [
        receive_mail(new_request(i, senders[i % SENDERS]), source="bench") for i in range(count)
    ]
    new_seconds = time.perf_counter() - started
    numbers = [o.tracking_number for o in outcomes if o.tracking_number]

    started = time.perf_counter()
    replies = [
        receive_mail(reply(i, senders[i % SENDERS], numbers[i % len(numbers)]), source="bench")
        for i in range(count)
    ]
    reply_seconds = time.perf_counter() - started

    created = sum(o.outcome == "created" for o in outcomes)
    appended = sum(o.outcome == "appended" for o in replies)
    print(f"database: {connection.vendor}")
    print(f"new requests: {count} mails, {created} created, {count / new_seconds:.1f} mails/s")
    print(f"replies:      {count} mails, {appended} appended, {count / reply_seconds:.1f} mails/s")
    print(f"ratio reply/new throughput: {new_seconds / reply_seconds:.2f}")


if __name__ == "__main__":
    main()
