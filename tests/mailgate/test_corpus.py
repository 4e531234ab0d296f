"""The .eml corpus (Zammad-style: each mail with its expected result) and the peer corpus, all
through the one inbound path: no crash, nothing lost (R2, R3, R4, R6, R8, R9, R10, R11, R12)."""

import json
from pathlib import Path

import pytest

from santacare.customers.models import Contact
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.outbox.models import OutboundMail
from santacare.tickets.models import Message, Ticket
from tests.mailgate.conftest import fill

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
CORPUS = sorted(FIXTURES.glob("*.eml"))
PEER_CORPUS = sorted((FIXTURES / "peer").glob("*.eml"))
OUTCOMES = {o.value for o in InboundMail.Outcome}


def test_corpus_is_not_empty():
    assert len(CORPUS) >= 30
    assert len(PEER_CORPUS) >= 6


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_mail_has_expected_result(path, mail_world):
    """R2/R6/R8/R9/R10/R11/R12: each fixture's expected outcome, replies and contents."""
    expected = json.loads(path.with_suffix(".json").read_text())
    raw = fill(path.read_bytes(), mail_world["placeholders"])
    outbox_before = set(OutboundMail.objects.values_list("pk", flat=True))
    tickets_before = set(Ticket.objects.values_list("pk", flat=True))

    outcome = receive_mail(raw, source=InboundMail.Source.PIPE)

    mail = InboundMail.objects.get(pk=outcome.mail_id)
    assert bytes(mail.raw) == raw  # nothing lost: the raw message is kept as it came
    assert (outcome.outcome, mail.outcome) == (expected["outcome"], expected["outcome"])
    if "reason" in expected:
        assert outcome.reason == expected["reason"]
    assert mail.is_held == expected.get("held", False)
    if "authentication" in expected:
        assert mail.authentication == expected["authentication"]

    replies = OutboundMail.objects.exclude(pk__in=outbox_before)
    assert sorted(replies.values_list("kind", flat=True)) == sorted(expected["replies"])
    for reply in replies:
        assert reply.auto_submitted
        assert reply.in_reply_to == mail.message_id

    new_tickets = Ticket.objects.exclude(pk__in=tickets_before)
    if outcome.outcome in ("created", "info_requested", "must_call"):
        ticket = new_tickets.get()
        assert ticket.channel == "email"
        assert ticket.tracking_number == outcome.tracking_number
        first = ticket.messages.get()
        for fragment in expected.get("text_contains", []):
            assert fragment in first.body
        for fragment in expected.get("html_excludes", []):
            assert fragment not in first.body_html
        if "subject" in expected:
            assert ticket.subject == expected["subject"]
        if "missing" in expected:
            assert ticket.missing_information == expected["missing"]
        if "delivery_address" in expected:
            assert ticket.delivery_address == expected["delivery_address"]
            assert ticket.delivery_contact == expected["delivery_contact"]
        if "priority" in expected:
            assert ticket.priority == expected["priority"]
        names = sorted(a.filename for a in first.attachments.all())
        assert names == sorted(expected.get("attachments", []))
        inline = sorted(a.filename for a in first.attachments.filter(is_inline=True))
        assert inline == sorted(expected.get("inline", []))
    else:
        assert not new_tickets.exists()

    if outcome.outcome == "appended" and "reply_text" in expected:
        message = mail.ticket_message
        assert message.ticket == mail_world["ticket"]
        assert message.body == expected["reply_text"]
    if "not_on_ticket" in expected:
        bodies = "".join(mail_world["ticket"].messages.values_list("body", flat=True))
        assert expected["not_on_ticket"] not in bodies
    if "bouncing" in expected:
        contact = Contact.objects.get(email=expected["bouncing"])
        assert contact.email_bouncing_since is not None
        note = mail_world["ticket"].messages.get(visibility=Message.Visibility.INTERNAL)
        assert expected["bouncing"] in note.body


@pytest.mark.parametrize("path", PEER_CORPUS, ids=lambda p: p.stem)
@pytest.mark.parametrize("registered", [True, False], ids=["registered", "stranger"])
def test_peer_corpus_no_crash_nothing_lost(path, registered, alice):
    raw = path.read_bytes()
    if registered:
        from santacare.mailgate.parse import parse_mail
        from tests.factories import ContactFactory

        sender = parse_mail(raw).from_address
        if sender:
            ContactFactory(customer=alice.customer, email=sender)

    outcome = receive_mail(raw, source=InboundMail.Source.IMAP)

    mail = InboundMail.objects.get(pk=outcome.mail_id)
    assert bytes(mail.raw) == raw
    assert outcome.outcome in OUTCOMES
    assert outcome.outcome != "quarantined", mail.reason
    if registered:
        assert outcome.outcome in ("created", "info_requested", "must_call")
        ticket = Ticket.objects.get()
        assert ticket.messages.get().body or ticket.subject


def test_peer_corpus_czech_subjects_are_decoded(alice):
    from santacare.mailgate.parse import parse_mail

    subjects = {p.name: parse_mail(p.read_bytes()).subject for p in PEER_CORPUS}
    assert subjects["all-special-chars.eml"] == "Testovácí email"
    assert subjects["quoted_printable.eml"] == "Český test"
