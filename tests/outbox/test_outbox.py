"""The outbox (R4, R6): durable rows, sent after commit, retried, at-least-once."""

from datetime import timedelta

import pytest
from django.db import transaction

from santacare.core import faults
from santacare.core.time import now
from santacare.outbox import services
from santacare.outbox.models import OutboundMail
from santacare.outbox.sending import send_due_mail, send_outbound_mail
from santacare.outbox.services import InvalidRecipientError, queue_mail
from santacare.outbox.tasks import send_outbound_mails_task
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def portal_request(contact, **fields):
    defaults = {
        "channel": Channel.PORTAL,
        "contact": contact,
        "subject": "Kytkin ei käynnisty",
        "description": "Virtavalo ei syty uudelleenkäynnistyksen jälkeen.",
        "serial_number": "FOC2233X0AB",
    }
    return TicketRequest(**(defaults | fields))


def test_r6_portal_ticket_acknowledgement_reaches_smtp_sink(smtp_sink, alice, alice_device):
    result = open_ticket(portal_request(alice))

    [message] = smtp_sink.wait_for(1)
    assert f"[{result.tracking_number}]" in message["Subject"]
    assert message["To"] == alice.email
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Message-ID"].startswith("<sc.")
    assert result.tracking_number in message.get_content()
    mail = OutboundMail.objects.get()
    assert (mail.state, mail.ticket, mail.kind) == ("sent", result.ticket, "acknowledgement")


def test_r14_acknowledgement_in_contacts_language(smtp_sink, alice, alice_device):
    alice.language = "en"
    alice.save()

    open_ticket(portal_request(alice))

    [message] = smtp_sink.wait_for(1)
    assert "Keep SC-" in message.get_content()


def test_r4_public_agent_reply_is_mailed_internal_note_is_not(smtp_sink, alice, alice_device):
    ticket = open_ticket(portal_request(alice)).ticket
    agent = AgentFactory()

    add_message(ticket, body="Vaihdamme laitteen.", channel=Channel.PORTAL, author_user=agent)
    add_message(
        ticket,
        body="Sisäinen: tilaa osa.",
        channel=Channel.PORTAL,
        author_user=agent,
        internal=True,
    )

    messages = smtp_sink.wait_for(2)
    assert len(messages) == 2
    reply = messages[1]
    assert "Vaihdamme laitteen." in reply.get_content()
    assert "Sisäinen" not in "".join(m.get_content() for m in messages)
    assert reply["In-Reply-To"] == messages[0]["Message-ID"]
    assert reply["Auto-Submitted"] is None
    assert OutboundMail.objects.count() == 2


def test_r4_outbound_smtp_down_then_up_sends_once_with_same_message_id(smtp_sink):
    smtp_sink.stop()
    mail = queue_mail(to=["alice@alice.example"], subject="Testi", body="Hei")
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == ("queued", 1)
    assert "Connection" in mail.last_error or "refused" in mail.last_error.lower()

    smtp_sink.start()
    assert send_due_mail(now=now()) == 0  # not due yet: backoff
    assert send_due_mail(now=now() + timedelta(hours=1)) == 1

    [message] = smtp_sink.wait_for(1)
    mail.refresh_from_db()
    assert mail.state == "sent"
    assert message["Message-ID"] == mail.message_id


@pytest.mark.parametrize("code", ["421 4.3.2 Busy", "451 4.3.0 Try later"])
def test_outbound_temporary_smtp_error_is_retried(smtp_sink, code):
    smtp_sink.reply_code = code
    mail = queue_mail(to=["alice@alice.example"], subject="Testi", body="Hei")
    mail.refresh_from_db()
    assert mail.state == "queued"
    assert mail.next_attempt_at > now()

    smtp_sink.reply_code = ""
    send_due_mail(now=now() + timedelta(hours=1))
    mail.refresh_from_db()
    assert mail.state == "sent"


def test_outbound_permanent_smtp_error_marks_failed_and_visible(smtp_sink):
    smtp_sink.reply_code = "550 5.1.1 No such user"
    mail = queue_mail(to=["nobody@alice.example"], subject="Testi", body="Hei")
    mail.refresh_from_db()
    assert mail.state == "failed"
    assert "550" in mail.last_error
    assert send_due_mail(now=now() + timedelta(days=1)) == 0


def test_outbound_crash_after_250_sends_again_with_same_message_id(smtp_sink):
    """At-least-once: a crash between the server's 250 and "sent" means one duplicate, same ID."""
    smtp_sink.stop()
    mail = queue_mail(to=["alice@alice.example"], subject="Testi", body="Hei")
    smtp_sink.start()

    with faults.inject(faults.AFTER_SMTP_250), pytest.raises(faults.InjectedFault):
        send_outbound_mail(mail.pk, now=now() + timedelta(hours=1))
    mail.refresh_from_db()
    assert mail.state == "queued"

    send_due_mail(now=now() + timedelta(hours=2))
    messages = smtp_sink.wait_for(2)
    assert [m["Message-ID"] for m in messages] == [mail.message_id, mail.message_id]
    mail.refresh_from_db()
    assert mail.state == "sent"


def test_outbound_recipient_with_newline_is_refused():
    """A newline in an address must not smuggle in a Bcc header (mail to a stranger)."""
    with pytest.raises(InvalidRecipientError):
        queue_mail(to=["alice@alice.example\r\nBcc: evil@evil.example"], subject="x", body="y")


def test_outbound_subject_newline_cannot_inject_header(smtp_sink):
    queue_mail(to=["alice@alice.example"], subject="Hei\r\nBcc: evil@evil.example", body="y")
    [message] = smtp_sink.wait_for(1)
    assert message["Bcc"] is None
    assert smtp_sink.envelopes[0][1] == ["alice@alice.example"]


def test_automatic_mail_daily_cap_suppresses_the_41st(settings):
    settings.MAILGATE_AUTO_REPLY_DAILY_CAP = 40
    states = [
        queue_mail(to=["robot@else.example"], subject="x", body="y", auto_submitted=True).state
        for _ in range(42)
    ]
    assert states.count("queued") == 40
    assert states[40:] == ["suppressed", "suppressed"]
    # A person's reply is not automatic and not capped.
    assert queue_mail(to=["robot@else.example"], subject="x", body="y").state == "queued"


def test_r14_acknowledgement_language_is_the_contacts_not_the_agents(alice, alice_device):
    """A phone ticket recorded by an English-speaking agent still reaches Alice in Finnish."""
    from django.utils import translation

    with translation.override("en"):
        open_ticket(portal_request(alice, channel=Channel.PHONE, opened_by=AgentFactory()))

    body = OutboundMail.objects.get().body
    assert "Pyyntösi avattiin" in body
    assert "Your request was opened" not in body


def test_r6_mail_one_transaction_owes_goes_to_the_queue_as_one_task(smtp_sink, monkeypatch):
    """A batch of inbound mail owes fifty answers: one task hands them all over after the
    commit (issue 12: an enqueue per mail was a round trip to the queue each), and each is
    sent."""
    tasks = []

    def one_task(mail_ids: list[int]) -> None:
        tasks.append(mail_ids)
        send_outbound_mails_task(mail_ids)

    monkeypatch.setattr(services, "send_outbound_mails_task", one_task)
    with transaction.atomic():
        queued = [
            queue_mail(to=[f"user{n}@alice.example"], subject="Hei", body="x") for n in range(3)
        ]

    assert tasks == [[mail.pk for mail in queued]]
    assert sorted(message["To"] for message in smtp_sink.wait_for(3)) == [
        "user0@alice.example",
        "user1@alice.example",
        "user2@alice.example",
    ]
    assert set(OutboundMail.objects.values_list("state", flat=True)) == {"sent"}
