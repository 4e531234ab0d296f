"""Class: trusted internal headers spoofed by an inbound mail (seen in Request Tracker, whose
`X-RT-*` and `RT-Send-Cc` headers set from outside changed recipients and rights).

Our namespace is `X-SantaCare-*`. From outside, none of it may change routing, priority, the
customer, the contact or the sender's trust. The loop header is the one we read, since all it
can do is stop us answering; so it must be really ours: it carries a token only this
installation computes, and our instance name alone (which is public: the support address's
domain) does not make a customer's mail ours and silently ignored.
"""

from email import message_from_bytes, policy

import pytest

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.mailgate.parse import parse_mail
from santacare.outbox.identity import LOOP_HEADER, instance_name
from santacare.outbox.sending import build_email
from santacare.outbox.services import queue_mail
from santacare.tickets.models import Priority, Ticket

pytestmark = pytest.mark.django_db

REQUEST = "Kytkin FOC2233X0AB ei käynnisty, virtavalo ei pala."


def customer_mail(*headers: str, sender="alice@alice.example", subject="Kytkin ei käynnisty"):
    head = "".join(f"{header}\r\n" for header in headers)
    return (
        f"From: {sender}\r\nTo: support@santacare.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <own-headers-{len(head)}@alice.example>\r\n{head}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{REQUEST}\r\n"
    ).encode()


def deliver(raw: bytes) -> InboundMail:
    outcome = receive_mail(raw, source=InboundMail.Source.SMTP)
    return InboundMail.objects.get(pk=outcome.mail_id)


@pytest.mark.parametrize(
    "value",
    [
        lambda: instance_name(),
        lambda: instance_name().upper(),
        lambda: f"  {instance_name()}  ",
        lambda: f"{instance_name()} 0123456789abcdef0123456789abcdef",
    ],
    ids=["name", "upper", "spaces", "guessed-token"],
)
def test_r6_our_loop_header_written_by_a_customer_does_not_silence_the_mail(
    alice, alice_device, value
):
    mail = deliver(customer_mail(f"{LOOP_HEADER}: {value()}"))

    assert (mail.outcome, mail.reason) == (InboundMail.Outcome.CREATED, "")
    assert mail.ticket is not None
    assert mail.ticket.contact == alice


def test_r6_our_own_mail_coming_back_is_recognised_even_with_a_new_message_id():
    """A forwarder that rewrites the Message-ID still brings our loop header back."""
    our_mail = queue_mail(to=["alice@alice.example"], subject="[SC-100009] Kytkin", body="x")
    raw = build_email(our_mail).message().as_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    message.replace_header("Message-ID", "<rewritten@forwarder.example>")
    del message["Auto-Submitted"]

    parsed = parse_mail(message.as_bytes())

    assert parsed.machine_reason == "own_mail"


def test_r11_our_header_namespace_from_outside_changes_nothing(
    alice, alice_device, charlie, charlie_device
):
    mail = deliver(
        customer_mail(
            "X-SantaCare-Priority: P1",
            "X-SantaCare-Customer: Charlie Oy",
            f"X-SantaCare-Contact: {charlie.email}",
            "X-SantaCare-Trusted: yes",
            "X-SantaCare-Authentication: pass",
            f"X-SantaCare-Serial: {charlie_device.serial_number}",
        )
    )

    ticket = mail.ticket
    assert mail.outcome == InboundMail.Outcome.CREATED
    assert (ticket.customer, ticket.contact, ticket.device) == (
        alice.customer,
        alice,
        alice_device,
    )
    assert ticket.priority == Priority.P3
    assert mail.authentication == "unverified"
    assert not mail.is_held


def test_r11_our_header_namespace_does_not_let_a_stranger_onto_a_ticket(
    alice, alice_device, charlie
):
    ticket = deliver(customer_mail()).ticket
    assert ticket is not None

    mail = deliver(
        customer_mail(
            f"X-SantaCare-Contact: {alice.email}",
            "X-SantaCare-Trusted: yes",
            f"X-SantaCare-Ticket: {ticket.tracking_number}",
            sender=charlie.email,
            subject=f"Re: [{ticket.tracking_number}] Kytkin ei käynnisty",
        )
    )

    assert mail.outcome == InboundMail.Outcome.REFUSED
    assert mail.is_held
    assert Ticket.objects.get(pk=ticket.pk).messages.filter(held_for_review=False).count() == 1
