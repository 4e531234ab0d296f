"""Stored mail processed in batches (issue 12): one transaction, and still an exactly-once effect;
what a batch costs the database, in statements, not seconds."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from santacare.core import faults
from santacare.mailgate import batch
from santacare.mailgate.batch import process_pending_inbound, receive_mail_batch
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.mailgate.parsed import ParsedMail
from santacare.mailgate.routing import MailOutcome, route
from santacare.outbox.models import OutboundMail
from santacare.sla.services import seed_default_targets
from santacare.tickets.models import Message, Ticket


def new_request(number: int, sender: str = "alice@alice.example") -> bytes:
    return (
        f"From: Alice <{sender}>\r\nTo: support@santacare.example\r\n"
        f"Message-ID: <batch-{number}@alice.example>\r\n"
        f"Subject: Kytkin FOC2233X0AB ei käynnisty {number}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hei, kytkin FOC2233X0AB ei käynnisty sähkökatkon jälkeen.\r\n"
    ).encode()


def reply(number: int, tracking_number: str) -> bytes:
    return (
        "From: Alice <alice@alice.example>\r\nTo: support@santacare.example\r\n"
        f"Message-ID: <batch-reply-{number}@alice.example>\r\n"
        f"Subject: VS: [{tracking_number}] Kytkin\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Kokeilimme toista virtalähdettä.\r\n"
    ).encode()


@pytest.fixture
def high_cap(settings):
    settings.MAILGATE_NEW_TICKETS_PER_SENDER_PER_HOUR = 100


@pytest.mark.django_db
def test_r6_batch_costs_fewer_statements_than_one_mail_at_a_time(alice, alice_device, high_cap):
    """The sender, the claim, the row locks and the raw bytes are asked for once per batch; a
    mail alone asks for each of them again."""
    with CaptureQueriesContext(connection) as alone:
        assert receive_mail(new_request(0), source="pipe").outcome == "created"
    mails = 10
    with CaptureQueriesContext(connection) as batch:
        outcomes = receive_mail_batch([new_request(n) for n in range(1, 11)], source="imap")

    assert [o.outcome for o in outcomes] == ["created"] * mails
    assert Ticket.objects.count() == mails + 1
    statements = [q["sql"] for q in batch.captured_queries]
    assert len(statements) < mails * len(alone.captured_queries) - 4 * mails, len(statements)
    per_batch = {
        "FROM " + connection.ops.quote_name("accounts_user"): 1,
        "FROM " + connection.ops.quote_name("customers_contact"): 1,
        "INSERT INTO " + connection.ops.quote_name("mailgate_inboundmail"): 1,
        '"processing_attempts" = ': 1,
        "FROM " + connection.ops.quote_name("installbase_device"): 1,
    }
    for fragment, count in per_batch.items():
        assert sum(fragment in sql for sql in statements) == count, fragment
    # The devices the mails name are read once for the batch, and intake is handed each one.
    device_reads = [sql for sql in statements if "FROM " + '"installbase_device"' in sql]
    assert len(device_reads) == 1
    assert set(Ticket.objects.values_list("serial_number", flat=True)) == {"FOC2233X0AB"}


@pytest.mark.django_db
def test_r6_batch_answers_each_mail_in_order(alice, alice_device, high_cap):
    """A new request, a malformed mail (quarantined, alone), a reply, and a copy of the first
    mail: each gets the outcome it would get alone."""
    first = receive_mail(new_request(0), source="pipe")

    outcomes = receive_mail_batch(
        [new_request(1), b"   ", reply(1, first.tracking_number), new_request(1)], source="imap"
    )

    assert [o.outcome for o in outcomes] == ["created", "quarantined", "appended", "duplicate"]
    assert outcomes[2].tracking_number == first.tracking_number
    assert InboundMail.objects.filter(is_quarantined=True).count() == 1
    assert Ticket.objects.count() == 2
    assert Message.objects.filter(ticket__tracking_number=first.tracking_number).count() == 2
    assert not InboundMail.objects.filter(state=InboundMail.State.RECEIVED).exists()


@pytest.mark.django_db(transaction=True)
def test_crash_mid_batch_leaves_every_mail_received_and_a_replay_processes_each_once(
    alice, alice_device, high_cap
):
    raws = [new_request(n) for n in range(5)]
    with faults.inject(faults.MID_TRANSACTION), pytest.raises(faults.InjectedFault):
        receive_mail_batch(raws, source="imap")

    # Stored (committed before processing), none half processed: no ticket, no outbox row.
    assert InboundMail.objects.filter(state=InboundMail.State.RECEIVED).count() == 5
    assert (Ticket.objects.count(), OutboundMail.objects.count()) == (0, 0)
    assert set(InboundMail.objects.values_list("processing_attempts", flat=True)) == {1}

    # The mailbox still holds them: the next fetch takes them over and processes each once.
    assert [o.outcome for o in receive_mail_batch(raws, source="imap")] == ["created"] * 5
    assert [o.outcome for o in receive_mail_batch(raws, source="imap")] == ["duplicate"] * 5
    assert Ticket.objects.count() == 5
    assert OutboundMail.objects.count() == 5  # one acknowledgement each, no orphan


@pytest.mark.django_db(transaction=True)
def test_crash_after_the_batch_commit_replays_as_duplicates(alice, alice_device, high_cap):
    raws = [new_request(n) for n in range(3)]
    with faults.inject(faults.AFTER_COMMIT), pytest.raises(faults.InjectedFault):
        receive_mail_batch(raws, source="imap")
    assert Ticket.objects.count() == 3

    replay = receive_mail_batch(raws, source="imap")

    assert [o.outcome for o in replay] == ["duplicate"] * 3
    assert {o.tracking_number for o in replay} == set(
        Ticket.objects.values_list("tracking_number", flat=True)
    )
    assert Ticket.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_sweep_processes_a_crashed_batch_once_its_claims_expire(alice, alice_device, high_cap):
    raws = [new_request(n) for n in range(4)]
    with faults.inject(faults.MID_TRANSACTION), pytest.raises(faults.InjectedFault):
        receive_mail_batch(raws, source="imap")
    # Claimed by the crashed processor: the sweep leaves them until the claim runs out.
    assert process_pending_inbound(older_than=timedelta(0)) == 0
    InboundMail.objects.update(claimed_until=None)

    assert process_pending_inbound(older_than=timedelta(0)) == 4
    assert process_pending_inbound(older_than=timedelta(0)) == 0
    assert Ticket.objects.count() == 4


def _ingest(raws: list[bytes]) -> tuple[list[MailOutcome], list[str]]:
    with CaptureQueriesContext(connection) as captured:
        outcomes = receive_mail_batch(raws, source="imap")
    return outcomes, [q["sql"] for q in captured.captured_queries]


def _savepoints(statements: list[str]) -> int:
    return sum(sql.startswith("SAVEPOINT") for sql in statements)


@pytest.mark.django_db
def test_r6_r4_statements_per_mail_do_not_grow_with_the_batch(alice, alice_device, high_cap):
    """What a batch asks once stays once (senders, devices, the replied tickets, the daily-cap
    counts, new tracking numbers, the mails' outcomes, webhook endpoints, the office calendar):
    each further new request costs its own rows only (ticket, message, event, acknowledgement)
    and each further reply its message, its event and the ticket's updated_at. No savepoint
    per mail (the test's own transaction makes each of the batch's transactions one)."""
    _ingest([new_request(99)])  # the first mail's one-off reads (content types and the like)
    opened_few, few = _ingest([new_request(n) for n in range(2)])
    opened_many, many = _ingest([new_request(n) for n in range(2, 10)])
    assert [o.outcome for o in opened_few + opened_many] == ["created"] * 10
    assert len(many) - len(few) <= 4 * (8 - 2), "\n".join(many)
    assert _savepoints(many) == _savepoints(few)

    tickets = [o.tracking_number or "" for o in opened_few + opened_many]
    replied_few, few = _ingest([reply(n, tickets[n]) for n in range(2)])
    replied_many, many = _ingest([reply(n, tickets[n]) for n in range(2, 10)])
    assert [o.outcome for o in replied_few + replied_many] == ["appended"] * 10
    assert len(many) - len(few) <= 3 * (8 - 2), "\n".join(many)
    ticket_reads = [sql for sql in many if sql.startswith("SELECT") and '"tickets_ticket"' in sql]
    assert len(ticket_reads) <= 2, ticket_reads  # the locked replies, the SLA index's refresh
    assert Message.objects.filter(ticket__tracking_number__in=tickets).count() == 20


@pytest.mark.django_db
def test_r1_new_tickets_get_their_next_breach_in_the_batchs_transaction(
    alice, alice_device, high_cap
):
    """Each new ticket's SLA next-breach copy goes into its INSERT (the test's transaction never
    commits, so no after-commit refresh wrote it), with the SLA targets read once per batch and
    no UPDATE of the tickets (issue 12)."""
    seed_default_targets()
    outcomes, statements = _ingest([new_request(n) for n in range(5)])

    assert [o.outcome for o in outcomes] == ["created"] * 5
    assert not Ticket.objects.filter(sla_due_at__isnull=True).exists()
    assert sum('FROM "sla_slatarget"' in sql for sql in statements) == 1
    assert not [sql for sql in statements if sql.startswith('UPDATE "tickets_ticket"')]


@pytest.mark.django_db
def test_r6_daily_cap_on_automatic_mail_counts_the_batchs_own_answers(
    alice, alice_device, high_cap, settings
):
    """The cap's counts are read once for the batch and kept up to date by each mail queued:
    the third acknowledgement to the same address in one batch is suppressed, as alone."""
    settings.MAILGATE_AUTO_REPLY_DAILY_CAP = 2

    outcomes = receive_mail_batch([new_request(n) for n in range(4)], source="imap")

    assert [o.outcome for o in outcomes] == ["created"] * 4
    states = OutboundMail.objects.order_by("pk").values_list("state", flat=True)
    assert list(states) == ["queued", "queued", "suppressed", "suppressed"]


@pytest.mark.django_db
def test_r6_a_mail_failing_in_a_batch_is_quarantined_alone(
    alice, alice_device, high_cap, monkeypatch
):
    """The batch is first routed without a savepoint per mail; when one mail fails, that
    attempt is rolled back whole and the batch is routed one mail at a time: the others open
    their tickets once, with one acknowledgement each, and the failing mail is quarantined."""

    def fail_on_the_second(mail: InboundMail, parsed: ParsedMail, **kwargs: object) -> object:
        if parsed.subject.endswith(" 1"):
            raise ValueError("broken routing")
        return route(mail, parsed, **kwargs)

    monkeypatch.setattr(batch, "route", fail_on_the_second)

    outcomes = receive_mail_batch([new_request(n) for n in range(3)], source="imap")

    assert [o.outcome for o in outcomes] == ["created", "quarantined", "created"]
    assert "broken routing" in outcomes[1].reason
    assert Ticket.objects.count() == 2
    assert OutboundMail.objects.count() == 2
    assert not InboundMail.objects.filter(state=InboundMail.State.RECEIVED).exists()
