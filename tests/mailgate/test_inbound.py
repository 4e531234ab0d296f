"""Routing rules of inbound mail: who may add to what, what is held, what is asked for, and what
robots get (R4, R6, R8, R9, R10, R11, R12)."""

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.mailgate.review import open_ticket_from_mail, release_held_mail
from santacare.mailgate.store import store_inbound_mail
from santacare.outbox.models import OutboundMail
from santacare.tickets.models import Event, Message, Ticket
from tests.factories import (
    AdvancedServiceLevelFactory,
    AgentFactory,
    ContractFactory,
    DeviceFactory,
)
from tests.mailgate.conftest import fill

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
SATURDAY_NIGHT = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 03:00 in Helsinki


def eml(name: str, world: dict | None = None, **replace: str) -> bytes:
    raw = (FIXTURES / f"{name}.eml").read_bytes()
    if world:
        raw = fill(raw, world["placeholders"])
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


def simple(sender: str, subject: str, body: str, message_id: str, **headers: str) -> bytes:
    extra = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return (
        f"From: {sender}\r\nTo: support@santacare.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def folded(headers: str, body: str, newline: str) -> bytes:
    """Address headers folded as Outlook folds them (a line break + WSP); a local MTA piping
    the mail to us may have turned every CRLF into LF."""
    text = f"{headers}Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    return text.replace("\n", newline).replace("<FOLD>", newline).encode()


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_r6_mail_with_folded_from_to_and_cc_opens_a_ticket(mail_world, newline):
    raw = folded(
        'From: "Asiakas, Alice (Alice Oy, verkkotiimi)"<FOLD> <alice@alice.example>\n'
        'To: "SantaCare, Tekninen tuki (Helpdesk)"<FOLD>\t<support@santacare.example>\n'
        'Cc: "Kollega, Kalle (Alice Oy)" <kalle@alice.example>,<FOLD> "Esimies, Eeva"<FOLD>'
        " <eeva@alice.example>\n"
        "Subject: Kytkin FOC2233X0AB ei käynnisty\nMessage-ID: <folded-new@alice.example>\n",
        "Virtavalo ei syty.",
        newline,
    )

    outcome = receive_mail(raw, source="pipe")

    assert outcome.outcome == "created"
    ticket = Ticket.objects.get(tracking_number=outcome.tracking_number)
    assert ticket.contact == mail_world["alice"]
    assert ticket.serial_number == "FOC2233X0AB"
    mail = InboundMail.objects.get(pk=outcome.mail_id)
    assert (mail.is_quarantined, mail.from_address) == (False, "alice@alice.example")
    acknowledgement = OutboundMail.objects.get(ticket=ticket)
    assert acknowledgement.to == ["alice@alice.example"]
    assert ticket.tracking_number in acknowledgement.subject


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_r4_reply_with_folded_from_is_threaded_onto_the_ticket(mail_world, newline):
    ticket = mail_world["ticket"]
    raw = folded(
        'From: "Asiakas, Alice (Alice Oy, verkkotiimi)"<FOLD> <alice@alice.example>\n'
        'To: "SantaCare, Tekninen tuki"<FOLD> <support@santacare.example>\n'
        'Cc: "Kollega, Kalle"<FOLD> <kalle@alice.example>\n'
        f"Subject: VS: [{ticket.tracking_number}] Kytkin ei käynnisty\n"
        "Message-ID: <folded-reply@alice.example>\n",
        "Virtalähteen vaihto auttoi.",
        newline,
    )

    outcome = receive_mail(raw, source="pipe")

    assert (outcome.outcome, outcome.tracking_number) == ("appended", ticket.tracking_number)
    assert Ticket.objects.count() == 1
    reply = ticket.messages.get(email_message_id="<folded-reply@alice.example>")
    assert reply.body == "Virtalähteen vaihto auttoi."
    assert reply.author_contact == mail_world["alice"]


def test_r12_another_customers_tracking_number_never_attaches(mail_world):
    """A number of another customer's ticket never attaches there: held, sender told why."""
    ticket = mail_world["ticket"]
    raw = simple("charlie@charlie.example", f"Re: [{ticket.tracking_number}] x", "Salaisuus", "c@c")

    outcome = receive_mail(raw, source="pipe")

    assert (outcome.outcome, outcome.reason) == ("refused", "not_on_this_ticket")
    assert ticket.messages.count() == 1
    refusal = OutboundMail.objects.get(kind="refusal")
    assert refusal.to == ["charlie@charlie.example"]
    assert ticket.subject not in refusal.body
    assert "Salaisuus" not in refusal.body
    assert InboundMail.objects.get(pk=outcome.mail_id).is_held


def test_r4_reply_to_closed_ticket_reopens_it(mail_world):
    ticket = mail_world["ticket"]
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.RESOLVED)

    receive_mail(eml("outlook_fi_reply", mail_world), source="pipe")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_r4_held_mail_never_reopens_changes_address_or_raises_priority(mail_world):
    ticket = mail_world["ticket"]
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.RESOLVED, delivery_address="Oikea osoite 1"
    )
    raw = eml("dmarc_fail_reply", mail_world).replace(
        b"Vaihtakaa toimitusosoite: Huijarinkatu 1.",
        b"KRIITTINEN verkko alhaalla!\r\nToimitusosoite: Huijarinkatu 1\r\n",
    )

    outcome = receive_mail(raw, source="pipe")

    assert (outcome.outcome, outcome.reason) == ("appended", "dmarc_fail")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.delivery_address == "Oikea osoite 1"
    assert ticket.priority == "P3"
    held = ticket.messages.get(held_for_review=True)
    assert "Huijarinkatu" in held.body


def test_r4_release_held_reply_counts_it(mail_world):
    ticket = mail_world["ticket"]
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.RESOLVED)
    outcome = receive_mail(eml("dmarc_fail_reply", mail_world), source="pipe")
    mail = InboundMail.objects.get(pk=outcome.mail_id)
    agent = AgentFactory()

    release_held_mail(mail, by=agent)

    mail.refresh_from_db()
    ticket.refresh_from_db()
    assert not mail.is_held
    assert mail.reviewed_by == agent
    assert not mail.ticket_message.held_for_review
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_release_outsider_mail_becomes_internal_note_by_agent(mail_world):
    ticket = mail_world["ticket"]
    raw = simple("charlie@charlie.example", f"Re: [{ticket.tracking_number}] x", "Tietoa", "c2@c")
    mail = InboundMail.objects.get(pk=receive_mail(raw, source="pipe").mail_id)
    agent = AgentFactory()

    release_held_mail(mail, by=agent)

    note = ticket.messages.get(visibility=Message.Visibility.INTERNAL)
    assert "Tietoa" in note.body
    assert note.author_user == agent


def test_r11_dmarc_fail_new_request_is_held_then_released(mail_world):
    raw = eml("dmarc_pass_new").replace(b"dmarc=pass", b"dmarc=fail")
    outcome = receive_mail(raw, source="pipe")
    assert (outcome.outcome, outcome.reason) == ("refused", "dmarc_fail")
    assert Ticket.objects.count() == 1  # only the world's own ticket
    mail = InboundMail.objects.get(pk=outcome.mail_id)

    released = release_held_mail(mail, by=AgentFactory())

    assert released.outcome == "created"
    assert Ticket.objects.count() == 2


def test_unverified_mail_is_held_only_when_the_setting_says_so(mail_world, settings):
    settings.MAILGATE_HOLD_UNVERIFIED = True
    outcome = receive_mail(eml("outlook_fi_new_request"), source="pipe")
    assert (outcome.outcome, outcome.reason) == ("refused", "unverified")


def test_r2_agent_turns_quarantined_mail_into_a_ticket(mail_world):
    raw = b"From: alice@alice.example\r\nSubject: FOC2233X0AB\r\n\r\n"
    mail = InboundMail.objects.get(pk=receive_mail(raw, source="pipe").mail_id)
    agent = AgentFactory()

    result = open_ticket_from_mail(mail, by=agent)

    assert result.ticket is not None
    assert result.ticket.opened_by == agent
    mail.refresh_from_db()
    assert mail.ticket == result.ticket
    assert mail.reviewed_by == agent


def test_r7_agent_opens_ticket_from_unknown_senders_mail_for_a_contact(mail_world):
    mail = InboundMail.objects.get(pk=receive_mail(eml("unknown_sender"), source="pipe").mail_id)

    result = open_ticket_from_mail(mail, by=AgentFactory(), contact=mail_world["alice"])

    assert result.ticket.customer == mail_world["alice"].customer
    assert result.ticket.serial_number == "FOC2233X0AB"


def test_r9_reply_bringing_missing_items_completes_the_ticket(mail_world):
    opened = receive_mail(eml("hardware_fault_missing_address"), source="pipe")
    ticket = Ticket.objects.get(tracking_number=opened.tracking_number)
    assert ticket.missing_information == ["delivery_address", "delivery_contact"]

    reply = simple(
        "alice@alice.example",
        f"VS: [{ticket.tracking_number}] Laitevika",
        "Toimitusosoite: Alice Oy\r\nTestikatu 1\r\n00100 Helsinki\r\n\r\n"
        "Yhteyshenkilö: Alice Asiakas 040 123",
        "supply@alice.example",
    )
    outcome = receive_mail(reply, source="pipe")

    assert outcome.outcome == "appended"
    ticket.refresh_from_db()
    assert ticket.missing_information == []
    assert ticket.status == Ticket.Status.NEW
    assert ticket.delivery_address == "Alice Oy\nTestikatu 1\n00100 Helsinki"
    assert ticket.delivery_contact == "Alice Asiakas 040 123"


def test_r9_reply_bringing_some_items_asks_for_the_rest(mail_world):
    opened = receive_mail(eml("no_serial"), source="pipe")
    ticket = Ticket.objects.get(tracking_number=opened.tracking_number)

    reply = simple(
        "alice@alice.example", f"Re: [{ticket.tracking_number}]", "Ei sarjanumeroa vielä", "p@a"
    )
    receive_mail(reply, source="pipe")

    ticket.refresh_from_db()
    assert ticket.missing_information == ["serial_number", "device_type"]
    asked = OutboundMail.objects.filter(ticket=ticket, kind="refusal").get()
    assert ticket.tracking_number in asked.subject

    reply = simple("alice@alice.example", f"Re: [{ticket.tracking_number}]", "FOC2233X0AB", "q@a")
    receive_mail(reply, source="pipe")
    ticket.refresh_from_db()
    assert ticket.missing_information == []
    assert ticket.serial_number == "FOC2233X0AB"


@pytest.mark.parametrize(
    ("body", "asked"),
    [
        ("Kytkin FOC2233X0AB katkoo. Emme epäile laitevikaa, vaan konfiguraatiota.", False),
        ("Switch FOC2233X0AB drops links. We don't suspect a hardware failure.", False),
        ("Kytkin FOC2233X0AB on rikki.\r\nLaitevika: ei", False),
        ("Kytkin FOC2233X0AB ei käynnisty, epäilemme laitevikaa.", True),
    ],
)
def test_r9_delivery_address_is_asked_only_when_the_mail_suspects_a_hardware_fault(
    mail_world, body, asked
):
    raw = simple("alice@alice.example", "Kytkin FOC2233X0AB", body, "hw@alice.example")

    outcome = receive_mail(raw, source="pipe")

    ticket = Ticket.objects.get(tracking_number=outcome.tracking_number)
    acknowledgement = OutboundMail.objects.get(ticket=ticket).body.lower()
    if asked:
        assert outcome.outcome == "info_requested"
        assert ticket.missing_information == ["delivery_address", "delivery_contact"]
        assert "toimitusosoite" in acknowledgement
    else:
        assert outcome.outcome == "created"
        assert (ticket.hardware_fault, ticket.missing_information) == (False, [])
        assert "toimitusosoite" not in acknowledgement
        assert "delivery address" not in acknowledgement


def test_r9_serial_of_another_customer_is_not_accepted(mail_world):
    raw = simple("alice@alice.example", "Kytkin FDO2544Y1QQ", "Charlien laite", "x@a")
    outcome = receive_mail(raw, source="pipe")
    ticket = Ticket.objects.get(tracking_number=outcome.tracking_number)
    assert outcome.outcome == "info_requested"
    assert ticket.serial_number == ""
    assert ticket.device is None


def test_r8_advanced_after_hours_mail_must_be_phoned_in(mail_world):
    alice = mail_world["alice"]
    advanced = ContractFactory(customer=alice.customer, service_level=AdvancedServiceLevelFactory())
    DeviceFactory(customer=alice.customer, contract=advanced, serial_number="JN11AB2C3DEF")
    raw = simple("alice@alice.example", "Reititin JN11AB2C3DEF", "Hidas yhteys", "night@a")

    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        outcome = receive_mail(raw, source="pipe")

    assert (outcome.outcome, outcome.reason) == ("must_call", "outside_office_hours")
    ticket = Ticket.objects.get(tracking_number=outcome.tracking_number)
    assert ticket.phone_call_required
    assert ticket.messages.get().body == "Hidas yhteys"  # what they sent is kept (R8)
    acknowledgement = OutboundMail.objects.get(ticket=ticket)
    assert "+358" in acknowledgement.body


def test_r14_refusal_to_unknown_sender_in_finnish_and_english(mail_world):
    receive_mail(eml("unknown_sender"), source="pipe")
    body = OutboundMail.objects.get(kind="refusal").body
    assert "technical contacts" in body
    assert "teknisi" in body  # Finnish: "teknisiltä yhteyshenkilöiltä" or similar


@pytest.mark.parametrize(
    ("language", "prefix", "said", "not_said"),
    [
        ("en", "Re: ", "Network Operations Center", "verkonvalvontakesk"),
        ("fi", "VS: ", "verkonvalvontakesk", "Network Operations Center"),
    ],
)
def test_r10_r14_a_redirect_to_the_noc_is_in_the_contacts_language_subject_and_all(
    mail_world, language, prefix, said, not_said
):
    alice = mail_world["alice"]
    alice.language = language
    alice.save()
    receive_mail(
        simple(alice.email, "Palomuuri FGT60FTK20000001", "Ei vastaa", f"noc-{language}@a"),
        source="pipe",
    )

    redirect = OutboundMail.objects.get(kind="refusal")
    assert redirect.subject == f"{prefix}Palomuuri FGT60FTK20000001"
    assert said in redirect.body
    assert not_said not in redirect.body


def test_new_ticket_rate_per_sender_is_capped(mail_world, settings):
    settings.MAILGATE_NEW_TICKETS_PER_SENDER_PER_HOUR = 3
    outcomes = [
        receive_mail(
            simple("alice@alice.example", f"Pyyntö {n} FOC2233X0AB", "x", f"r{n}@a"), source="pipe"
        )
        for n in range(5)
    ]
    assert [o.outcome for o in outcomes] == ["created"] * 3 + ["refused"] * 2
    assert outcomes[-1].reason == "rate_limited"
    assert InboundMail.objects.filter(is_held=True).count() == 2


def test_ping_pong_with_another_helpdesk_stops_at_the_daily_cap(mail_world, settings):
    """A robot that answers without Auto-Submitted: our refusals stop at the daily cap."""
    settings.MAILGATE_AUTO_REPLY_DAILY_CAP = 5
    for n in range(8):
        receive_mail(
            simple("robot@helpdesk.example", f"Ticket #{n} received", "Thanks", f"pp{n}@h"),
            source="pipe",
        )
    states = list(
        OutboundMail.objects.filter(recipient="robot@helpdesk.example").values_list(
            "state", flat=True
        )
    )
    assert states.count("queued") == 5
    assert states.count("suppressed") == 3


def test_r6_out_of_office_reply_gets_no_answer(mail_world):
    before = OutboundMail.objects.count()
    outcome = receive_mail(eml("out_of_office_fi", mail_world), source="pipe")
    assert outcome.outcome == "ignored"
    assert OutboundMail.objects.count() == before
    assert InboundMail.objects.get(pk=outcome.mail_id).ticket == mail_world["ticket"]


def test_r4_attachment_over_the_cap_is_noted_back_to_sender(mail_world, settings):
    settings.SANTACARE_MAX_ATTACHMENT_BYTES = 10
    outcome = receive_mail(eml("attachments_inline_and_pdf"), source="pipe")

    assert outcome.outcome == "created"
    note = OutboundMail.objects.get(kind="refusal")
    assert "lähetys raportti.pdf" in note.body
    assert note.to == ["alice@alice.example"]


def test_r4_agent_reply_by_email_reaches_the_customer(mail_world):
    ticket = mail_world["ticket"]
    agent = AgentFactory(email="agentti@santacare.example")
    raw = simple(agent.email, f"Re: [{ticket.tracking_number}] x", "Laite lähtee tänään.", "ag@s")

    outcome = receive_mail(raw, source="pipe")

    assert outcome.outcome == "appended"
    reply = OutboundMail.objects.get(kind="reply")
    assert reply.to == [mail_world["alice"].email]
    assert "Laite lähtee tänään." in reply.body


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_delivery_stores_one_mail(alice, alice_device):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    raw = eml("outlook_fi_new_request")
    results = []

    def deliver():
        try:
            results.append(store_inbound_mail(raw, source="smtp")[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [False] * 7 + [True]
    assert InboundMail.objects.count() == 1


def test_no_refusal_is_sent_to_a_forged_sender(mail_world):
    """Backscatter: a refusal to a From that failed DMARC would go to someone who did not write."""
    raw = simple(
        "stranger@elsewhere.example",
        "Help",
        "x",
        "forged@x",
        Authentication_Results="mx.santacare.example; dmarc=fail header.from=elsewhere.example",
    )
    outcome = receive_mail(raw, source="pipe")
    assert outcome.outcome == "refused"
    assert not OutboundMail.objects.filter(kind="refusal").exists()


def test_r2_review_list_shows_held_and_quarantined_until_reviewed(mail_world):
    from santacare.mailgate.queries import mail_for_review

    held = receive_mail(eml("charlie_uses_alice_number", mail_world), source="pipe")
    quarantined = receive_mail(b"", source="pipe")
    receive_mail(eml("outlook_fi_new_request"), source="pipe")

    assert {m.pk for m in mail_for_review()} == {held.mail_id, quarantined.mail_id}

    release_held_mail(InboundMail.objects.get(pk=held.mail_id), by=AgentFactory())
    assert [m.pk for m in mail_for_review()] == [quarantined.mail_id]


def test_r4_bounce_of_our_mail_is_an_internal_note_written_through_the_message_service(
    mail_world,
):
    """A bounce becomes a note for agents like every other message: logged, never mailed."""
    ticket = mail_world["ticket"]
    mails_before = OutboundMail.objects.count()

    outcome = receive_mail(eml("dsn_bounce", mail_world), source=InboundMail.Source.PIPE)

    assert (outcome.outcome, outcome.reason) == ("appended", "bounce")
    note = ticket.messages.get(visibility=Message.Visibility.INTERNAL)
    assert "alice@alice.example" in note.body
    logged = ticket.events.filter(kind=Event.Kind.MESSAGE_ADDED, data__message=note.pk)
    assert logged.count() == 1
    assert OutboundMail.objects.count() == mails_before
