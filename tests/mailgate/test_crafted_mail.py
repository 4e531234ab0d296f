"""Crafted-mail denial of service: one hostile mail reaches an outcome within a bounded amount of
work, counts its attempts before the work, and never holds up sending (R2, R6).

Anyone who can reach the SMTP listener can send these. Before the caps, 20,000 nested `<div>`s
took the HTML sanitizer seconds and 400,000 unclosed ones a quarter of an hour, while the row
stayed locked and the attempt uncounted. The tests assert which cap applied (the stored body is
the fallback and the reason says so), never how long it took.
"""

from datetime import timedelta

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from santacare.core import faults
from santacare.core.time import now
from santacare.mailgate.batch import process_pending_inbound
from santacare.mailgate.inbound import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    process_stored_mail,
    receive_mail,
)
from santacare.mailgate.models import InboundMail
from santacare.mailgate.parse import parse_mail
from santacare.mailgate.queue import inbound_mail_huey
from santacare.mailgate.store import store_inbound_mail
from santacare.mailgate.tasks import process_inbound_mail_task
from santacare.outbox.models import OutboundMail
from santacare.outbox.tasks import send_outbound_mail_task
from santacare.tickets.models import Ticket
from tests.mailgate.test_entry_points import NEW_REQUEST, santacare

SUBJECT = "Kytkin FOC2233X0AB ei käynnisty"
REQUEST = "Kytkin FOC2233X0AB ei käynnisty."


def crafted(sender: str, content_type: str, body: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@santacare.example\r\nSubject: {SUBJECT}\r\n"
        f"Message-ID: <crafted@alice.example>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\n\r\n{body}"
    ).encode()


def html_mail(sender: str, html: str) -> bytes:
    return crafted(sender, "text/html; charset=utf-8", html)


def deliver(raw: bytes) -> tuple[InboundMail, Ticket | None]:
    outcome = receive_mail(raw, source=InboundMail.Source.SMTP)
    mail = InboundMail.objects.get(pk=outcome.mail_id)
    return mail, mail.ticket


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("html", "cap"),
    [
        ("<div>" * 20_000 + REQUEST + "</div>" * 20_000, "HTML nested 20000 levels deep"),
        ("<div>" * 399_000 + REQUEST, "HTML nested 399000 levels deep"),
        # Stray end tags close nothing in a browser, so they must not hide the depth either.
        ("<div></x>" * 20_000 + REQUEST, "HTML nested 20000 levels deep"),
        ("<div/>" * 20_000 + REQUEST, "HTML nested 20000 levels deep"),
        (
            "<p " + " ".join(f"a{i}=x" for i in range(100_000)) + f">{REQUEST}</p>",
            "HTML tag with 100000 attributes",
        ),
        ("<span></span>" * 60_000 + f"<p>{REQUEST}</p>", "HTML has 120002 tags"),
    ],
    ids=["nested-20000", "unclosed-400000", "stray-end-tags", "self-closing-div", "attrs", "tags"],
)
def test_crafted_mail_dos_html_over_a_cap_is_shown_as_plain_text(alice, alice_device, html, cap):
    mail, ticket = deliver(html_mail(alice.email, html))

    assert mail.outcome == InboundMail.Outcome.CREATED
    assert f"{cap} " in mail.reason
    assert mail.reason.endswith("shown as plain text")
    assert ticket.messages.get().body == REQUEST


@pytest.mark.django_db
def test_crafted_mail_dos_deep_html_beside_a_text_part_shows_the_text_part(alice, alice_device):
    body = (
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKytkin FOC2233X0AB ei käynnisty."
        "\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + "<div>" * 20_000
        + "Toinen teksti"
        + "\r\n--b--\r\n"
    )
    mail, ticket = deliver(crafted(alice.email, 'multipart/alternative; boundary="b"', body))

    assert mail.outcome == InboundMail.Outcome.CREATED
    assert "HTML nested 20000 levels deep (limit 500): shown as plain text" in mail.reason
    assert ticket.messages.get().body == REQUEST


def test_crafted_mail_dos_ordinary_html_is_still_sanitized_not_flattened():
    parsed = parse_mail(
        html_mail("alice@alice.example", f"<div><p>{REQUEST}</p><script>x()</script></div>")
    )

    assert parsed.limits_applied == []
    assert parsed.html == f"<div><p>{REQUEST}</p></div>"
    assert parsed.text == REQUEST


def parts(count: int) -> str:
    return "".join(f"--b\r\nContent-Type: text/plain\r\n\r\nosa {i}\r\n" for i in range(count))


def nested_multiparts(depth: int) -> tuple[str, str]:
    head = 'multipart/mixed; boundary="b0"'
    body = "".join(
        f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n'
        for i in range(depth)
    )
    body += f"--b{depth}\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    return head, body + "".join(f"--b{i}--\r\n" for i in reversed(range(depth + 1)))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        (
            'multipart/mixed; boundary="b"',
            parts(20_000) + "--b--\r\n",
            "MalformedMailError: too many MIME parts: 20001 boundaries (limit 1000)",
        ),
        (
            *nested_multiparts(20_000),
            "MalformedMailError: too many MIME parts: 40002 boundaries (limit 1000)",
        ),
        (
            "message/rfc822",
            "Content-Type: message/rfc822\r\n\r\n" * 20_000 + "x",
            "MalformedMailError: RecursionError",
        ),
    ],
    ids=["many-parts", "deep-multipart", "deep-rfc822"],
)
def test_crafted_mail_dos_mime_structure_over_a_cap_is_quarantined(
    alice, alice_device, content_type, body, reason
):
    mail, ticket = deliver(crafted(alice.email, content_type, body))

    assert (mail.outcome, mail.is_quarantined, ticket) == ("quarantined", True, None)
    assert mail.reason.startswith(reason)
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_crafted_mail_dos_one_long_line_is_processed_with_its_text_capped(alice, alice_device):
    mail, ticket = deliver(
        crafted(alice.email, "text/plain; charset=utf-8", REQUEST + "x" * 20_000_000)
    )

    assert mail.outcome == InboundMail.Outcome.CREATED
    assert ticket.messages.get().body.startswith(REQUEST)
    assert len(ticket.messages.get().body) <= 500_000


@pytest.mark.django_db
def test_crafted_mail_dos_mail_over_the_time_budget_is_quarantined_with_reason(
    alice, alice_device, settings
):
    settings.MAILGATE_PROCESSING_SECONDS = 0

    mail, ticket = deliver(NEW_REQUEST)

    assert (mail.outcome, mail.is_quarantined, ticket) == ("quarantined", True, None)
    assert mail.reason == (
        "MailOverBudgetError: processing time budget used up after reading the MIME structure"
    )
    assert mail.processing_attempts == 1


@pytest.mark.django_db(transaction=True)
def test_crafted_mail_dos_crash_mid_parse_counts_the_attempt_and_quarantines_after_three(
    alice, alice_device
):
    crash = santacare("mailgate", "--json", stdin=NEW_REQUEST, SANTACARE_FAULT="mid_parse:exit")

    assert crash.returncode == faults.EXIT_CODE
    mail = InboundMail.objects.get()
    assert (mail.state, mail.processing_attempts) == ("received", 1)
    # The dead processor's claim keeps the sweep off the mail until the lease runs out.
    assert process_pending_inbound(older_than=timedelta(0)) == 0

    later = now() + CLAIM_LEASE + timedelta(seconds=1)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        with faults.inject(faults.MID_PARSE), pytest.raises(faults.InjectedFault):
            process_stored_mail(mail.pk)
        mail.refresh_from_db()
        assert (mail.state, mail.processing_attempts) == ("received", attempt)

    with time_machine.travel(later, tick=False):
        assert process_pending_inbound(older_than=timedelta(0)) == 1

    mail.refresh_from_db()
    assert (mail.outcome, mail.is_quarantined) == ("quarantined", True)
    assert mail.reason.startswith("gave up: 3 attempts to process this mail did not finish")
    assert Ticket.objects.count() == 0


@pytest.fixture
def queued_hueys():
    """Both queues as in production (tasks wait for a consumer), emptied before and after."""
    for huey in (HUEY, inbound_mail_huey):
        huey.flush()
    yield
    for huey in (HUEY, inbound_mail_huey):
        huey.flush()


def run_queue(huey) -> int:
    """Do what that queue's consumer does, until the queue is empty; how many tasks ran."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


@pytest.mark.django_db(transaction=True)
def test_crafted_mail_dos_outbox_mail_is_sent_while_inbound_mail_waits_on_its_own_queue(
    alice, alice_device, smtp_sink, queued_hueys
):
    HUEY.immediate = inbound_mail_huey.immediate = False
    first, _ = store_inbound_mail(NEW_REQUEST, source=InboundMail.Source.SMTP)
    process_inbound_mail_task(first.pk)
    assert run_queue(inbound_mail_huey) == 1  # the ticket and its acknowledgement, queued
    acknowledgement = OutboundMail.objects.get()
    hostile, _ = store_inbound_mail(
        html_mail(alice.email, "<div>" * 400_000), source=InboundMail.Source.SMTP
    )
    process_inbound_mail_task(hostile.pk)

    send_outbound_mail_task(acknowledgement.pk)
    assert run_queue(HUEY) >= 1  # the main worker never takes an inbound mail task

    assert len(smtp_sink.wait_for(1)) == 1
    acknowledgement.refresh_from_db()
    assert acknowledgement.state == OutboundMail.State.SENT
    hostile.refresh_from_db()
    assert (hostile.state, inbound_mail_huey.pending_count()) == ("received", 1)
    assert run_queue(inbound_mail_huey) == 1
    hostile.refresh_from_db()
    assert hostile.state == InboundMail.State.PROCESSED


def test_crafted_mail_dos_html_within_the_caps_but_deep_still_gives_its_text():
    parsed = parse_mail(html_mail("alice@alice.example", "<div>" * 499 + REQUEST))

    assert parsed.limits_applied == []
    assert parsed.text == REQUEST


@pytest.mark.django_db
def test_crafted_mail_dos_the_caller_is_told_which_cap_applied(alice, alice_device):
    outcome = receive_mail(
        html_mail(alice.email, "<div>" * 20_000 + REQUEST), source=InboundMail.Source.PIPE
    )

    assert outcome.as_json()["reason"] == (
        "HTML nested 20000 levels deep (limit 500): shown as plain text"
    )
