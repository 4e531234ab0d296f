"""The three ways in (pipe, SMTP, IMAP), crash windows and outages: inbound mail has an
exactly-once effect and is never lost (R2, R6)."""

import json
import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from santacare.core import faults
from santacare.mailgate.batch import process_pending_inbound
from santacare.mailgate.imap import fetch_mailbox
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.mailgate.smtpd import InboundHandler, make_controller
from santacare.tickets.models import Ticket
from tests.support.mail import free_port
from tests.support.santacare import santacare

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
NEW_REQUEST = (FIXTURES / "outlook_fi_new_request.eml").read_bytes()
CLOSED_PORT_DATABASE = "postgres://postgres@127.0.0.1:9/unreachable?connect_timeout=2"
EX_TEMPFAIL = 75


# --- santacare mailgate (stdin) ----------------------------------------------------------------


def test_r6_mailgate_json_prints_exactly_the_outcome_object(alice, alice_device):
    result = santacare("mailgate", "--json", stdin=NEW_REQUEST)

    assert result.returncode == 0, result.stderr.decode()
    outcome = json.loads(result.stdout)
    ticket = Ticket.objects.get()
    assert outcome == {
        "outcome": "created",
        "tracking_number": ticket.tracking_number,
        "reason": None,
    }
    assert InboundMail.objects.get().outcome == "created"


def test_r6_mailgate_same_message_twice_makes_one_ticket(alice, alice_device):
    first = json.loads(santacare("mailgate", "--json", stdin=NEW_REQUEST).stdout)
    second = json.loads(santacare("mailgate", "--json", stdin=NEW_REQUEST).stdout)

    assert first["outcome"] == "created"
    assert second["outcome"] == "duplicate"
    assert second["tracking_number"] == first["tracking_number"]
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.count() == 1


def test_mailgate_same_message_id_other_bytes_is_one_mail(alice, alice_device):
    """Bcc to two of our aliases: the same Message-ID arrives with different headers."""
    receive_mail(NEW_REQUEST, source="pipe", envelope_recipients=["support@santacare.example"])
    other = b"Delivered-To: tuki@santacare.example\r\n" + NEW_REQUEST

    outcome = receive_mail(other, source="pipe", envelope_recipients=["tuki@santacare.example"])

    assert outcome.outcome == "duplicate"
    assert Ticket.objects.count() == 1


def test_mailgate_without_message_id_dedups_on_raw_bytes(alice, alice_device):
    raw = NEW_REQUEST.replace(b"Message-ID: <AM0PR01MB1234@eurprd01.prod.outlook.com>\r\n", b"")
    assert receive_mail(raw, source="pipe").outcome == "created"
    assert receive_mail(raw, source="pipe").outcome == "duplicate"
    changed = raw.replace(b"Hei,", b"Moi,")
    assert receive_mail(changed, source="pipe").outcome == "created"
    assert Ticket.objects.count() == 2


def test_mailgate_database_down_exits_75_and_stores_nothing():
    result = santacare("mailgate", "--json", stdin=NEW_REQUEST, DATABASE_URL=CLOSED_PORT_DATABASE)

    assert result.returncode == EX_TEMPFAIL
    assert result.stdout == b""
    assert InboundMail.objects.count() == 0


def test_mailgate_database_down_then_up_processes_once(alice, alice_device):
    assert santacare("mailgate", stdin=NEW_REQUEST, DATABASE_URL=CLOSED_PORT_DATABASE).returncode
    retry = santacare("mailgate", "--json", stdin=NEW_REQUEST)

    assert json.loads(retry.stdout)["outcome"] == "created"
    assert Ticket.objects.count() == 1


def test_mailgate_malformed_mail_is_stored_and_quarantined_exit_0():
    raw = b"\x00\x01\x02 not a mail at all \xff\xfe"
    result = santacare("mailgate", "--json", stdin=raw)

    assert result.returncode == 0
    outcome = json.loads(result.stdout)
    mail = InboundMail.objects.get()
    assert bytes(mail.raw) == raw
    assert outcome["outcome"] in ("quarantined", "ignored")
    assert mail.outcome == outcome["outcome"]


def test_mailgate_empty_input_is_quarantined_with_reason():
    result = santacare("mailgate", "--json", stdin=b"")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "outcome": "quarantined",
        "tracking_number": None,
        "reason": "MalformedMailError: empty message",
    }
    assert InboundMail.objects.get().is_quarantined


# --- Crash windows --------------------------------------------------------------------------------


def crash(point: str) -> subprocess.CompletedProcess:
    return santacare("mailgate", "--json", stdin=NEW_REQUEST, SANTACARE_FAULT=f"{point}:exit")


def test_crash_between_receive_and_raw_insert_loses_nothing_mta_retries(alice, alice_device):
    assert crash(faults.AFTER_RECEIVE).returncode == faults.EXIT_CODE
    assert InboundMail.objects.count() == 0  # not acknowledged: the MTA still has it

    assert json.loads(santacare("mailgate", "--json", stdin=NEW_REQUEST).stdout)["outcome"] == (
        "created"
    )
    assert Ticket.objects.count() == 1


def test_crash_between_raw_insert_and_parse_is_processed_by_the_sweep(alice, alice_device):
    assert crash(faults.AFTER_RAW_INSERT).returncode == faults.EXIT_CODE
    mail = InboundMail.objects.get()
    assert mail.state == "received"
    assert Ticket.objects.count() == 0

    from datetime import timedelta

    assert process_pending_inbound(older_than=timedelta(0)) == 1
    assert Ticket.objects.count() == 1
    # The MTA's retry of the same mail finds it done.
    assert json.loads(santacare("mailgate", "--json", stdin=NEW_REQUEST).stdout)["outcome"] == (
        "duplicate"
    )
    assert Ticket.objects.count() == 1


def test_crash_mid_transaction_rolls_back_and_retry_processes_once(alice, alice_device):
    assert crash(faults.MID_TRANSACTION).returncode == faults.EXIT_CODE
    assert Ticket.objects.count() == 0
    assert InboundMail.objects.get().state == "received"

    retry = json.loads(santacare("mailgate", "--json", stdin=NEW_REQUEST).stdout)

    assert retry["outcome"] == "created"
    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 1
    assert ticket.outbound_mails.count() == 1  # one acknowledgement, no orphan from the crash


def test_crash_after_commit_retry_takes_the_duplicate_path(alice, alice_device):
    assert crash(faults.AFTER_COMMIT).returncode == faults.EXIT_CODE
    assert Ticket.objects.count() == 1

    retry = json.loads(santacare("mailgate", "--json", stdin=NEW_REQUEST).stdout)

    assert retry["outcome"] == "duplicate"
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().outbound_mails.count() == 1


def test_crash_in_process_raises_and_leaves_mail_received(alice, alice_device):
    with faults.inject(faults.MID_TRANSACTION), pytest.raises(faults.InjectedFault):
        receive_mail(NEW_REQUEST, source="pipe")
    assert InboundMail.objects.get().state == "received"
    assert receive_mail(NEW_REQUEST, source="pipe").outcome == "created"


# --- santacare smtpd ----------------------------------------------------------------------------


@pytest.fixture
def smtp_listener():
    port = free_port()
    controller = make_controller(InboundHandler(), host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_r6_smtp_listener_walkthrough_acknowledgement_then_vs_reply(
    smtp_sink, smtp_listener, alice, alice_device
):
    """The issue's walk-through: mail in by SMTP, acknowledgement out, `VS: [SC-…]` threaded."""
    with smtplib.SMTP("127.0.0.1", smtp_listener, timeout=10) as client:
        client.sendmail(alice.email, [settings.SUPPORT_EMAIL], NEW_REQUEST)

    [acknowledgement] = smtp_sink.wait_for(1)
    ticket = Ticket.objects.get()
    assert f"[{ticket.tracking_number}]" in acknowledgement["Subject"]
    assert acknowledgement["In-Reply-To"] == "<AM0PR01MB1234@eurprd01.prod.outlook.com>"

    reply = (
        f"From: {alice.email}\r\nTo: {settings.SUPPORT_EMAIL}\r\n"
        f"Subject: VS: {acknowledgement['Subject']}\r\n"
        f"Message-ID: <reply-1@alice.example>\r\nIn-Reply-To: {acknowledgement['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nKiitos, odotamme.\r\n"
    ).encode()
    with smtplib.SMTP("127.0.0.1", smtp_listener, timeout=10) as client:
        client.sendmail(alice.email, [settings.SUPPORT_EMAIL], reply)

    deadline = time.monotonic() + 10
    while ticket.messages.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(ticket.messages.values_list("body", flat=True))[1] == "Kiitos, odotamme."


def test_smtp_listener_answers_451_when_database_is_down():
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "santacare", "smtpd", "--port", str(port)],
        env={
            **os.environ,
            "DATABASE_URL": CLOSED_PORT_DATABASE,
            "SANTACARE_INSECURE_DEV_KEY": "true",
            "LOG_LEVEL": "CRITICAL",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        process.stdout.readline()  # "SMTP listening on …": the listener is up
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=30) as client,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            client.sendmail("alice@alice.example", ["support@santacare.example"], NEW_REQUEST)
        assert refused.value.smtp_code == 451
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- santacare fetchmail (IMAP, Dovecot) ------------------------------------------------------


def test_r2_fetchmail_stores_then_moves_to_processed(dovecot, alice, alice_device):
    dovecot.deliver(NEW_REQUEST)
    dovecot.deliver(NEW_REQUEST)  # the same mail twice in the mailbox
    dovecot.deliver((FIXTURES / "no_serial.eml").read_bytes())

    result = fetch_mailbox(dovecot.url)

    assert (result.stored, result.duplicates) == (2, 1)
    assert Ticket.objects.count() == 2
    assert dovecot.messages("INBOX") == []
    assert len(dovecot.messages("Processed")) == 3


def test_fetchmail_database_down_leaves_mail_in_the_mailbox(dovecot, alice, alice_device):
    dovecot.deliver(NEW_REQUEST)

    result = santacare(
        "fetchmail", "--once", "--url", dovecot.url, DATABASE_URL=CLOSED_PORT_DATABASE
    )

    assert result.returncode != 0 or b"left in the mailbox" in result.stdout
    assert len(dovecot.messages("INBOX")) == 1
    assert InboundMail.objects.count() == 0

    fetched = santacare("fetchmail", "--once", "--url", dovecot.url)

    assert fetched.returncode == 0, fetched.stderr.decode()
    assert Ticket.objects.count() == 1
    assert dovecot.messages("INBOX") == []


def test_fetchmail_idle_session_picks_up_new_mail(dovecot, alice, alice_device):
    from santacare.mailgate.imap import MailboxConfig, connect, idle_until_mail

    client = connect(MailboxConfig.from_url(dovecot.url))
    try:
        assert fetch_mailbox(dovecot.url, client=client).stored == 0
        dovecot.deliver(NEW_REQUEST)
        idle_until_mail(client, seconds=2)  # returns on the server's EXISTS, or after 2 s

        result = fetch_mailbox(dovecot.url, client=client)
    finally:
        client.logout()

    assert result.stored == 1
    assert Ticket.objects.count() == 1


def test_imap_url_is_parsed():
    from santacare.mailgate.imap import MailboxConfig

    config = MailboxConfig.from_url("imaps://tuki%40santacare.fi:p%3Ass@mail.example:993/Saapuneet")
    assert (config.host, config.port, config.ssl) == ("mail.example", 993, True)
    assert (config.username, config.password, config.folder) == (
        "tuki@santacare.fi",
        "p:ss",
        "Saapuneet",
    )
    with pytest.raises(ValueError, match="imap"):
        MailboxConfig.from_url("pop3://x@y/")
