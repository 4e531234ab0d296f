"""The demo's mail, fed through the real inbound path (`mailgate/inbound.py::receive_mail`).

Each message is built with the standard library's `email` package, exactly as an MTA would hand
it over, so whatever the desk says about it (a ticket, held, refused, redirected to the NOC,
ignored) is the mail gateway's own verdict, not something the demo wrote into a table.
"""

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from django.conf import settings

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.mailgate.routing import MailOutcome
from santacare.tickets.models import Ticket

from .clock import Timeline, at

# The last demo mail's Message-ID: once received, the stories were told (activity.py).
LAST_MESSAGE_ID = "<demo-105@mail.kauppa.example>"


def build_mail(
    *,
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    when: datetime,
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = settings.SUPPORT_EMAIL
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def deliver(raw: bytes, *, when: datetime) -> MailOutcome:
    """Hand a message to the mail gateway as the SMTP listener would, at `when`."""
    with at(when):
        return receive_mail(
            raw,
            source=InboundMail.Source.SMTP,
            envelope_recipients=[settings.SUPPORT_EMAIL],
        )


def mail_in(
    *,
    sender: str,
    subject: str,
    body: str,
    number: int,
    when: datetime,
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> MailOutcome:
    domain = sender.rpartition("@")[2].rstrip(">")
    message_id = f"<demo-{number:03d}@mail.{domain}>"
    raw = build_mail(
        sender=sender,
        subject=subject,
        body=body,
        message_id=message_id,
        when=when,
        headers=headers,
        attachments=attachments,
    )
    return deliver(raw, when=when)


def mail_for_review(timeline: Timeline, *, answered: Ticket) -> list[MailOutcome]:
    """The mail review's rows: each kind of mail that becomes no ticket message, once."""
    ago = timeline.ago
    outcomes = [
        # A stranger writes on a customer's ticket: held for an agent, never on the ticket.
        mail_in(
            sender="Matti Meikäläinen <matti.meikalainen@posti.example>",
            subject=f"Re: {answered.subject_tag} {answered.subject}",
            body="Hei, onko tähän jo ratkaisua? Meilläkin sama ongelma.",
            number=101,
            when=ago(hours=3, minutes=10),
        ),
        # A technical contact about a device whose contract ended (R1).
        mail_in(
            sender="Teemu Tekninen <tekninen@esimerkki.fi>",
            subject="Catalyst 2960-X FOC1111X0ZZ ei käynnisty",
            body="Varaston kytkin FOC1111X0ZZ ei käynnisty sähkökatkon jälkeen. Virtavalo ei pala.",
            number=102,
            when=ago(hours=26),
        ),
        # The FortiGate is Managed Services: the NOC handles it (R10).
        mail_in(
            sender="Teemu Tekninen <tekninen@esimerkki.fi>",
            subject="FortiGate FGT60FTK20000001: VPN-tunneli katkeilee",
            body="Sivutoimiston VPN-tunneli katkeaa muutaman tunnin välein. Sarjanumero "
            "FGT60FTK20000001.",
            number=103,
            when=ago(hours=5, minutes=40),
        ),
        # An out-of-office reply to our acknowledgement: a robot, never answered (RFC 3834).
        mail_in(
            sender="Tiina Toinen <it@toinen.fi>",
            subject=f"Automaattinen vastaus: {answered.subject_tag} {answered.subject}",
            body="Olen lomalla 7.12. asti. Kiireellisissä asioissa soita numeroon 050 555 6666.",
            number=104,
            when=ago(hours=2, minutes=30),
            headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
        ),
        # Nobody we know asks for support: refused, told how to get access (R11).
        mail_in(
            sender="Ville Virtanen <ville.virtanen@kauppa.example>",
            subject="Reititin ei toimi",
            body="Meidän reititin ei toimi, voitteko auttaa?",
            number=105,
            when=ago(days=1, hours=4),
        ),
    ]
    # The same message delivered twice (an MTA's retry): stored and answered once.
    duplicate = build_mail(
        sender="Teemu Tekninen <tekninen@esimerkki.fi>",
        subject="FortiGate FGT60FTK20000001: VPN-tunneli katkeilee",
        body="(sama viesti uudelleen)",
        message_id="<demo-103@mail.esimerkki.fi>",
        when=ago(hours=5, minutes=39),
    )
    outcomes.append(deliver(duplicate, when=ago(hours=5, minutes=39)))
    return outcomes
