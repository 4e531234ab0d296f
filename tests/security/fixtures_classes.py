"""Builders shared by the class suite (`test_class_*.py`): a world whose every text field holds
script, and a reader that says what in a page would run in a browser.

Plain functions, not fixtures: each module wraps what it needs in its own fixture, so this file
stays independent of the folder's conftest.
"""

import ast
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from santacare.accounts.models import User
from santacare.customers.models import AccessRequest, Contact
from santacare.customers.services import decline_access_request
from santacare.customers.tokens import issue_token
from santacare.installbase.models import Device, Vendor
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.rma import services as rma_services
from santacare.rma.models import Rma
from santacare.tickets.attachments import store_attachment
from santacare.tickets.conversation import add_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Attachment, Channel, Ticket
from tests.factories import (
    AgentFactory,
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    DeviceFactory,
    SiteFactory,
    UserFactory,
)


def hostile(name: str) -> str:
    """Script three ways (an element, an event handler, a link scheme), tagged with the field's
    name so a page shows which field it came from; short enough for a 100-character field."""
    return (
        f"<script>alert('{name}')</script><img src=x onerror=alert(1)>"
        f'<a href="javascript:alert(1)">x</a>'
    )


def shown(name: str) -> str:
    """What a reader sees of a hostile field rendered as text (its start: lists truncate)."""
    return f"<script>alert('{name}')"


SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class PageReader(HTMLParser):
    """What a browser would run from a page, and what it would show as text.

    Only markup the page really has becomes an element or an attribute here: an escaped
    payload arrives as text, an unescaped one as a script element or an event handler.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str, str]] = []
        self.script_links: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.attribute_values: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            self.attribute_values.append(value)
            if name.startswith("on"):
                self.handlers.append((tag, name, value))
            # Browsers drop whitespace and control characters around a scheme and ignore case.
            squeezed = "".join(ch for ch in value if ch > " ").lower()
            if squeezed.startswith(SCRIPT_SCHEMES):
                self.script_links.append((tag, name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def shows(self, name: str) -> bool:
        return self.shows_text(shown(name))

    def shows_text(self, text: str) -> bool:
        return text in "".join(self.text) or any(text in v for v in self.attribute_values)


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


def assert_inert(html: str, where: str) -> PageReader:
    """No script a stranger wrote would run from this page."""
    page = read_page(html)
    assert not [s for s in page.scripts if "alert(" in s], f"{where}: stored script runs"
    assert not page.handlers, f"{where}: event handler attributes {page.handlers[:3]}"
    assert not page.script_links, f"{where}: script links {page.script_links[:3]}"
    return page


@dataclass
class HostileWorld:
    """One customer whose every stored text is hostile, an agent who reads it all, and a
    stranger's mail waiting in review."""

    agent: User
    contact: Contact
    contact_user: User
    device: Device
    vendor: Vendor
    ticket: Ticket
    attachment: Attachment
    rma: Rma
    cancelled_rma: Rma
    access_request: AccessRequest
    refused_mail: InboundMail
    api_key: str


def stranger_mail(*, subject: str, from_name: str) -> bytes:
    """A stranger's plain mail; the display name is quoted by hand, as the stdlib writes
    markup-like names unquoted and then cannot read them back."""
    quoted = from_name.replace("\\", "\\\\").replace('"', '\\"')
    message = EmailMessage()
    message["To"] = "support@santacare.example"
    message["Subject"] = subject
    message["Message-ID"] = "<hostile-1@elsewhere.example>"
    message.set_content(hostile("mail_body"))
    return f'From: "{quoted}" <stranger@elsewhere.example>\r\n'.encode() + message.as_bytes()


def build_hostile_world() -> HostileWorld:
    agent = AgentFactory(
        full_name="Aino Agentti", role=User.Role.ADMIN, is_superuser=True, is_staff=True
    )
    customer = CustomerFactory(name=hostile("company"))
    contact = ContactFactory(
        customer=customer,
        name=hostile("contact"),
        job_role=hostile("job_role"),
        email="alice@alice.example",
    )
    contact.user = UserFactory(email=contact.email, full_name=contact.name)
    contact.save(update_fields=["user"])
    vendor, _created = Vendor.objects.update_or_create(
        name=hostile("vendor"), defaults={"return_instructions_fi": hostile("instructions")}
    )
    device = DeviceFactory(
        customer=customer,
        serial_number="FOC2233X0AB",
        device_type=hostile("device_type"),
        vendor=vendor,
        site=SiteFactory(customer=customer, name=hostile("site")),
        contract=ContractFactory(customer=customer),
    )
    ticket = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            subject=hostile("subject"),
            description=hostile("description"),
            serial_number=device.serial_number,
            hardware_fault=True,
            delivery_address=hostile("address"),
            delivery_contact=hostile("delivery"),
        )
    ).ticket
    assert ticket is not None
    reply = add_message(
        ticket, body=hostile("reply"), channel=Channel.PORTAL, author_contact=contact
    ).message
    assert reply is not None
    attachment = store_attachment(
        reply,
        filename="<img src=x onerror=alert('filename')>.txt",
        content_type="text/plain",
        data=b"log\n",
    )
    rma = rma_services.open_rma(
        ticket, by=agent, part_number="PWR-C1-350WAC", part_description=hostile("part")
    )
    cancelled = rma_services.open_rma(ticket, by=agent, part_number="C9300-NM-8X")
    cancelled = rma_services.cancel_rma(cancelled, by=agent, reason=hostile("cancel"))
    access_request = AccessRequest.objects.create(
        company_name=hostile("access_org"),
        business_id="1234567-1",
        name=hostile("access_name"),
        email="bob@bob.example",
        phone="+358 40 1234567",
        job_role=hostile("access_role"),
        language="fi",
        status=AccessRequest.Status.PENDING,
    )
    decline_access_request(access_request, by=agent, reason=hostile("decline"))
    access_request.refresh_from_db()
    receive_mail(
        stranger_mail(subject=hostile("mail_subj"), from_name=hostile("mail_from")),
        source=InboundMail.Source.SMTP,
        envelope_sender="stranger@elsewhere.example",
    )
    refused = InboundMail.objects.get(message_id="<hostile-1@elsewhere.example>")
    _token, key = issue_token(name=hostile("token"), contact=contact)
    return HostileWorld(
        agent=agent,
        contact=contact,
        contact_user=contact.user,
        device=device,
        vendor=vendor,
        ticket=ticket,
        attachment=attachment,
        rma=rma,
        cancelled_rma=cancelled,
        access_request=access_request,
        refused_mail=refused,
        api_key=key,
    )


def covered_by(module: str, *, prefix: str) -> list[str]:
    """The test functions of `module` (a path under tests/) whose names start with `prefix`: a
    class whose tests live elsewhere is covered only while they are still there."""
    source = (Path(__file__).resolve().parent.parent / module).read_text()
    return [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name.startswith(prefix)
    ]
