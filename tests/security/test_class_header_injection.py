"""Class: header injection in the mail we send (seen in Request Tracker and osTicket, where a
line break in a user's address, name or subject became an extra header or recipient; and in
CPython's own email package).

Every outgoing path goes through the outbox: it refuses a recipient that holds a line break and
keeps only the bare address, flattens the subject and the thread headers to one line, and
writes From itself. Each path is driven here with CR/LF in whatever text of ours or of a
stranger's ends up in the mail, and the message the real SMTP server received must carry no
injected header and no extra recipient.
"""

from datetime import datetime, timedelta

import pytest
from django.test import Client

from santacare.core.time import HELSINKI
from santacare.outbox.models import OutboundMail
from santacare.outbox.services import InvalidRecipientError, queue_mail
from santacare.rma import services as rma_services
from santacare.sla.notifications import sweep
from santacare.sla.services import seed_default_targets
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Ticket
from tests.factories import AgentFactory, ServiceLevelFactory, UserFactory

pytestmark = pytest.mark.django_db

EVIL = "evil@evil.example"
INJECTION = f"Kytkin\r\nBcc: {EVIL}\r\nX-Injected: yes\r\n\r\n<script>body</script>"
ALLOWED_HEADERS = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "x-santacare-loop",
    "auto-submitted",
    "x-auto-response-suppress",
    "precedence",
}


def assert_not_injected(sink, *, to: str) -> None:
    assert sink.messages, "no mail reached the SMTP server"
    for (_sender, recipients), message in zip(sink.envelopes, sink.messages, strict=True):
        assert recipients == [to]
        names = {name.lower() for name in message}
        assert names <= ALLOWED_HEADERS, names - ALLOWED_HEADERS
        assert message.get_all("To") == [to]
        assert EVIL not in str(message["To"]) + str(message.get("Cc", ""))
        assert "\n" not in str(message["Subject"])


@pytest.mark.parametrize(
    "recipient",
    [
        f"alice@alice.example\r\nBcc: {EVIL}",
        f"alice@alice.example\nBcc: {EVIL}",
        f"alice@alice.example\rBcc: {EVIL}",
        f"alice@alice.example\x00, {EVIL}",
        f"alice@alice.example, {EVIL}",
        f'"Alice\r\nBcc: {EVIL}" <alice@alice.example>',
    ],
)
def test_header_injection_outbox_refuses_a_recipient_with_a_break_or_a_second_address(recipient):
    with pytest.raises(InvalidRecipientError):
        queue_mail(to=[recipient], subject="Hei", body="x")

    assert not OutboundMail.objects.exists()


def test_header_injection_outbox_flattens_subject_and_thread_headers(
    smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_mail(
            to=['"Alice Admin" <alice@alice.example>'],
            subject=INJECTION,
            body="x",
            in_reply_to=f"<a@alice.example>\r\nBcc: {EVIL}",
            references=["<b@alice.example>\r\nX-Injected: yes"],
        )

    assert_not_injected(smtp_sink, to="alice@alice.example")
    [message] = smtp_sink.messages
    assert message["Subject"].startswith("Kytkin Bcc: evil@evil.example X-Injected: yes")


def test_r6_header_injection_acknowledgement(
    alice, alice_device, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = open_ticket(
            TicketRequest(
                channel=Channel.PORTAL,
                contact=alice,
                subject=INJECTION,
                description=f"Ei käynnisty.\r\nBcc: {EVIL}",
                serial_number=alice_device.serial_number,
            )
        )

    assert result.ticket is not None
    assert_not_injected(smtp_sink, to=alice.email)


def _with_stored_break(ticket: Ticket) -> Ticket:
    """A subject stored before the input was cleaned, or edited in the admin: the outbox must
    not rely on the door having cleaned it."""
    Ticket.objects.filter(pk=ticket.pk).update(subject=INJECTION)
    ticket.refresh_from_db()
    return ticket


def _ticket(contact, device, **fields) -> Ticket:
    ticket = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            subject="Kytkin ei käynnisty",
            description="Virtalähde on kuollut.",
            serial_number=device.serial_number,
            **fields,
        )
    ).ticket
    assert ticket is not None
    return _with_stored_break(ticket)


def test_r4_header_injection_agent_reply(
    alice, alice_device, smtp_sink, django_capture_on_commit_callbacks
):
    ticket = _ticket(alice, alice_device)

    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, body="Vaihdetaan.", channel=Channel.DESK, author_user=AgentFactory())

    assert_not_injected(smtp_sink, to=alice.email)


def test_r13_header_injection_rma_mail(
    alice, alice_device, smtp_sink, django_capture_on_commit_callbacks
):
    agent = AgentFactory()
    ticket = _ticket(
        alice,
        alice_device,
        hardware_fault=True,
        delivery_address=f"Testikatu 1\r\nBcc: {EVIL}",
        delivery_contact=f"Alice\r\nBcc: {EVIL}",
    )
    alice_device.vendor.return_instructions_fi = f"Pakkaa.\r\nBcc: {EVIL}"
    alice_device.vendor.save(update_fields=["return_instructions_fi"])
    rma = rma_services.open_rma(
        ticket, by=agent, part_number="PWR-C1-350WAC", vendor_rma_number=f"R1\r\nBcc: {EVIL}"
    )
    rma = rma_services.mark_shipped(
        rma,
        by=agent,
        courier=f"Posti\r\nBcc: {EVIL}",
        tracking_code=f"JJFI1\r\nBcc: {EVIL}",
        replacement_serial="FOC9999X1ZZ",
    )

    with django_capture_on_commit_callbacks(execute=True):
        rma_services.mark_delivered(rma, by=agent)

    assert OutboundMail.objects.filter(ticket=ticket, kind="rma_return_instructions").exists()
    assert_not_injected(smtp_sink, to=alice.email)


def test_r15_header_injection_sla_notice(alice, smtp_sink, django_capture_on_commit_callbacks):
    level = ServiceLevelFactory()
    seed_default_targets()
    sdm = UserFactory(email="sdm@santacare.example")
    alice.customer.service_delivery_manager = sdm
    alice.customer.save(update_fields=["service_delivery_manager"])
    opened = datetime(2026, 6, 22, 8, 0, tzinfo=HELSINKI)
    ticket = Ticket.objects.create(
        tracking_number="SC-100009",
        customer=alice.customer,
        contact=alice,
        channel=Channel.PORTAL,
        subject=INJECTION,
        priority="P2",
        service_level=level,
        service_level_name=level.name,
        received_at=opened,
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = sweep(now=opened + timedelta(days=3))

    assert result.breaches
    assert OutboundMail.objects.filter(ticket=ticket).exists()
    assert_not_injected(smtp_sink, to=sdm.email)


def test_r11_header_injection_access_request(alice, smtp_sink, django_capture_on_commit_callbacks):
    form = {
        "company_name": f"Alice Oy\r\nBcc: {EVIL}",
        "business_id": alice.customer.business_id,
        "name": f"Alice\r\nBcc: {EVIL}",
        "email": alice.email,
        "phone": "+358 40 1234567",
        "job_role": "Verkko\r\nX-Injected: yes",
    }
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post("/portal/access/", {**form, "email": f"{alice.email}\r\nBcc: {EVIL}"})
        accepted = client.post("/portal/access/", form)

    assert refused.status_code == 200
    assert "email" in refused.context["form"].errors
    assert accepted.status_code == 200
    assert_not_injected(smtp_sink, to=alice.email)
