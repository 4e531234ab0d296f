"""The mail review list as an agent reads it: labelled fields, singular states, and the release
of held mail with its result told."""

import pytest
from django.test import Client

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel

pytestmark = pytest.mark.django_db


def simple(sender: str, subject: str, body: str, message_id: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@santacare.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


@pytest.fixture
def held(alice, alice_device):
    """Mail from outside the customer quoting its ticket's number: held for an agent."""
    ticket = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=alice,
            subject="Kytkin",
            description="Ei vastaa.",
            serial_number=alice_device.serial_number,
        )
    ).ticket
    assert ticket is not None
    raw = simple("charlie@charlie.example", f"Re: [{ticket.tracking_number}] x", "Tietoa", "h1@c")
    mail = InboundMail.objects.get(pk=receive_mail(raw, source="pipe").mail_id)
    assert mail.is_held
    return mail


def test_every_field_of_a_mail_card_is_labelled(agent_client, held):
    text = agent_client.get("/desk/mail/").content.decode()
    for label in ("From and subject", "Outcome", "Reason"):
        assert f'data-label="{label}"' in text


def test_finnish_state_is_singular_and_the_tab_plural(agent, held):
    client = Client(headers={"accept-language": "fi"})
    client.force_login(agent)
    text = client.get("/desk/mail/").content.decode()
    row = text.split(f'data-mail="{held.pk}"')[1].split("</tr>")[0]
    assert "Hylätty" in row
    assert "Hylätyt" not in row
    assert ">Hylätyt</a>" in text


def test_release_button_releases_and_says_what_became_of_the_mail(agent_client, held):
    page = agent_client.get("/desk/mail/").content.decode()
    assert f'action="/desk/mail/{held.pk}/release/"' in page

    response = agent_client.post(f"/desk/mail/{held.pk}/release/", follow=True)

    held.refresh_from_db()
    assert not held.is_held
    assert held.reviewed_at is not None
    text = response.content.decode()
    assert "The mail was released: Added to a ticket" in text
    assert held.ticket.tracking_number in text

    again = agent_client.post(f"/desk/mail/{held.pk}/release/", follow=True)
    assert "no longer held" in again.content.decode()


def test_release_needs_a_post(agent_client, held):
    assert agent_client.get(f"/desk/mail/{held.pk}/release/").status_code == 405
