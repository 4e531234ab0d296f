"""Two nodes fetch one IMAP mailbox at once (docs/OPERATIONS.md): every message is stored and
takes effect once, however their fetches interleave. Real Dovecot, real database, two threads
with a connection each."""

import threading
from pathlib import Path

import pytest
from django.db import connection

from santacare.mailgate.imap import fetch_mailbox
from santacare.mailgate.models import InboundMail
from santacare.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
TEMPLATE = (FIXTURES / "outlook_fi_new_request.eml").read_bytes()
MAILS = 8


def mail(number: int) -> bytes:
    return TEMPLATE.replace(
        b"Message-ID: <AM0PR01MB1234@", f"Message-ID: <two-fetchers-{number}@".encode()
    ).replace(b"Subject: Kytkin", f"Subject: {number} Kytkin".encode())


def test_r2_two_fetchers_on_one_mailbox_take_each_message_once(dovecot, alice, alice_device):
    for number in range(MAILS):
        dovecot.deliver(mail(number))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def fetcher() -> None:
        try:
            barrier.wait(timeout=10)
            # Two rounds each: the second finds what the other left, or nothing.
            for _ in range(2):
                fetch_mailbox(dovecot.url)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert InboundMail.objects.count() == MAILS
    assert set(InboundMail.objects.values_list("state", flat=True)) == {"processed"}
    assert Ticket.objects.count() == MAILS
    assert Message.objects.filter(ticket__in=Ticket.objects.all()).count() == MAILS
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(
        f"{number} Kytkin ei käynnisty" for number in range(MAILS)
    )
    assert dovecot.messages("INBOX") == []
    # Two MOVEs of one message racing may both copy it: the archive folder may hold a message
    # twice, the desk never does.
    processed = {
        raw.split(b"Message-ID: ")[1].split(b"\r\n")[0] for raw in dovecot.messages("Processed")
    }
    assert len(processed) == MAILS
