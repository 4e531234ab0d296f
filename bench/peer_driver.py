"""Runs inside the peer's virtualenv (django-helpdesk): set-up, mail ingest, a session cookie.

    peer_driver.py setup TICKETS      migrate; a queue, a staff user, TICKETS tickets with
                                      two follow-ups each (bulk_create in batches)
    peer_driver.py ingest RUN COUNT SENDERS_JSON
                                      the corpus through helpdesk.email.extract_email_metadata,
                                      the function its mailbox poller calls per message; JSON out
    peer_driver.py cookie             a logged-in staff session's cookie, the queue's id

Started by bench/peer.py with DJANGO_SETTINGS_MODULE=peer_settings; not part of our project.
"""

import json
import logging
import sys
import time
from datetime import timedelta

import django

django.setup()

import corpus  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from helpdesk.email import extract_email_metadata  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

BATCH = 20_000
STAFF = "bench-staff"


def queue() -> Queue:
    return Queue.objects.get_or_create(
        slug="bench",
        defaults={
            "title": "Bench",
            "allow_email_submission": True,
            "allow_public_submission": True,
            "email_box_type": "local",
            "email_address": "support@santacare.example",
        },
    )[0]


def setup(tickets: int) -> None:
    call_command("migrate", verbosity=0)
    q = queue()
    user_model = get_user_model()
    if not user_model.objects.filter(username=STAFF).exists():
        user_model.objects.create_superuser(STAFF, "staff@bench.example", "bench-only-password")
    FollowUp.objects.all().delete()
    Ticket.objects.all().delete()
    base = timezone.now() - timedelta(days=730)
    for first in range(0, tickets, BATCH):
        rows = [
            Ticket(
                title=f"Laite BX{g:08d} ei käynnisty {g}",
                queue=q,
                created=base + timedelta(minutes=(g * 7919) % 1051200),
                modified=base + timedelta(minutes=(g * 7919) % 1051200),
                submitter_email=f"tech{g % 5}.c{g % 200}@bench{g % 200}.example",
                description="Laite ei vastaa, lokissa virheitä.",
                status=Ticket.OPEN_STATUS if g % 10 == 0 else Ticket.CLOSED_STATUS,
                priority=1 + g % 5,
            )
            for g in range(first, min(first + BATCH, tickets))
        ]
        made = Ticket.objects.bulk_create(rows)
        FollowUp.objects.bulk_create(
            FollowUp(ticket=t, title="Vastaus", comment=text, public=public, date=t.created)
            for t in made
            for text, public in (("Hei, tarkistamme laitteen.", True), ("Varaosa.", False))
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def ingest(run: int, count: int, senders: list[tuple[str, str]]) -> dict[str, float]:
    q = queue()
    logger = logging.getLogger("bench.peer")
    queries = 0

    def count_queries(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def one(raw: bytes) -> str | None:
        ticket = extract_email_metadata(
            message=raw.decode("utf-8", "replace"), queue=q, logger=logger
        )
        return str(ticket.id) if ticket else None

    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count_queries):
        new, replies = corpus.run_corpus(run, count, senders, one, lambda t: f"[bench-{t}]")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    mails = new + replies
    return {"mails": mails, "seconds": wall, "cpu": cpu, "queries": queries}


def cookie() -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username=STAFF))
    print(json.dumps({"sessionid": client.cookies["sessionid"].value, "queue": queue().pk}))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        setup(int(sys.argv[2]))
    elif command == "ingest":
        result = ingest(int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4]))
        print(json.dumps(result))
    elif command == "cookie":
        cookie()
