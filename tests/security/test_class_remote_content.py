"""Class: server-side fetch of remote content named in a mail (seen in osTicket, whose
"show images" and print fetched a mail's external `<img src>` from the server: SSRF).

What the code does: nothing on the server fetches a URL (no HTTP client is used anywhere); the
sanitiser drops every `src` that is not `cid:` and every attribute that loads on its own
(`srcset`, `background`, `poster`, `style`), and drops iframes, objects, links to stylesheets;
pages show the text of a message, never its HTML; and the pages' CSP lets images come only from
our own origin. A stub HTTP server on the loopback stands for the internal target and must see
no request while a hostile mail is received, stored, shown and served by the API.
"""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from santacare.customers.tokens import issue_token
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.tickets.models import Message
from tests.factories import AgentFactory, UserFactory
from tests.security.fixtures_classes import read_page

pytestmark = pytest.mark.django_db


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a")

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture
def internal_target() -> Iterator[ThreadingHTTPServer]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def remote_html(base: str) -> str:
    return (
        f'<html><head><link rel="stylesheet" href="{base}/style.css">'
        f"<style>@import url({base}/import.css);</style></head>"
        f'<body background="{base}/body.gif">'
        f'<p>Kytkin FOC2233X0AB ei käynnisty.<img src="{base}/pixel.gif" width="1"></p>'
        f'<img srcset="{base}/srcset.gif 2x"><video poster="{base}/poster.gif"></video>'
        f'<table background="{base}/table.gif"><tr><td style="background:url({base}/css.gif)">'
        f'x</td></tr></table><iframe src="{base}/frame"></iframe>'
        f'<object data="{base}/object"></object><embed src="{base}/embed">'
        f'<input type="image" src="{base}/input.gif"><audio src="{base}/audio"></audio>'
        f'<a href="{base}/link">lokit</a></body></html>'
    )


def mail_with(html: str, *, subject: str, message_id: str) -> bytes:
    return (
        "From: alice@alice.example\r\nTo: support@santacare.example\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{message_id}@alice.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n"
    ).encode()


def test_r4_remote_content_in_a_mail_is_never_fetched(alice, alice_device, internal_target):
    """Both mail paths: a new request (stored as text) and a reply (its HTML kept, sanitised)."""
    base = f"http://127.0.0.1:{internal_target.server_port}"
    html = remote_html(base)
    opened = receive_mail(
        mail_with(html, subject="Kytkin ei käynnisty", message_id="remote-1"),
        source=InboundMail.Source.SMTP,
    )
    ticket = InboundMail.objects.get(pk=opened.mail_id).ticket
    assert ticket is not None
    receive_mail(
        mail_with(
            html, subject=f"Re: [{ticket.tracking_number}] lisätietoa", message_id="remote-2"
        ),
        source=InboundMail.Source.SMTP,
    )
    reply = ticket.messages.filter(direction=Message.Direction.INBOUND).latest("id")

    agent = Client()
    agent.force_login(AgentFactory())
    customer = Client()
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    customer.force_login(alice.user)
    _token, key = issue_token(name="NMS", contact=alice)
    api = Client(headers={"authorization": f"Bearer {key}"})
    number = ticket.tracking_number
    pages = [
        agent.get(f"/desk/t/{number}/"),
        customer.get(f"/portal/tickets/{number}/"),
        api.get(f"/api/v1/tickets/{number}/messages"),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert internal_target.paths == []  # type: ignore[attr-defined]
    assert ticket.messages.filter(direction=Message.Direction.INBOUND).count() == 2
    stored = read_page(reply.body_html)
    loading = [v for v in stored.attribute_values if base in v]
    assert loading == [f"{base}/link"], "only the plain link may name the remote host"
    assert "lokit" in reply.body_html
    api_bodies = json.loads(pages[2].content)
    assert all(base not in body.get("body", "") for body in api_bodies)


@pytest.mark.parametrize("url", ["/desk/", "/portal/", "/accounts/login/"])
def test_r4_pages_load_images_only_from_our_own_origin(client, url):
    """A sanitiser miss still loads nothing remote: the CSP allows our origin and data: only."""
    client.force_login(AgentFactory() if url == "/desk/" else UserFactory())
    response = client.get(url)

    policy = dict(
        (directive.split()[0], directive.split()[1:])
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
