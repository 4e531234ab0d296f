"""Class: script in an uploaded or mailed file opened by the browser (seen in Request Tracker and
OTRS, attachments served inline and sniffed to HTML; osTicket and django-helpdesk, SVG files
with script).

The class is covered in tests/tickets/test_attachments_served_only_as_downloads.py (the type
from the bytes in every channel, the request cap) and tests/mailgate/test_attachments.py. Here:
that coverage is still there, and files a browser would run, named honestly, leave both doors
(portal and desk) only as downloads that cannot be sniffed or scripted.
"""

import pytest
from django.test import Client

from santacare.tickets.attachments import store_attachment
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from tests.factories import AgentFactory, UserFactory
from tests.security.fixtures_classes import covered_by

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
XHTML = b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'
INLINE_RUNNABLE = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml")


def test_attachments_class_is_covered_by_the_ticket_tests():
    served = covered_by(
        "tickets/test_attachments_served_only_as_downloads.py",
        prefix="test_attachments_served_only_as_downloads_",
    )
    assert len(served) >= 7


@pytest.fixture
def files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "claimed", "data"),
    [
        ("kaavio.svg", "image/svg+xml", SVG),
        ("resume.html", "text/html", HTML),
        ("sivu.xhtml", "application/xhtml+xml", XHTML),
        ("loki.txt", "text/plain", HTML),
    ],
)
def test_r4_runnable_file_leaves_portal_and_desk_only_as_a_download(
    files, alice, alice_device, filename, claimed, data
):
    ticket = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=alice,
            description="Kaavio liitteenä.",
            serial_number=alice_device.serial_number,
        )
    ).ticket
    attachment = store_attachment(
        ticket.messages.get(), filename=filename, content_type=claimed, data=data
    )
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    customer, agent = Client(), Client()
    customer.force_login(alice.user)
    agent.force_login(AgentFactory())

    for client, url in (
        (customer, f"/portal/attachments/{attachment.pk}/"),
        (agent, f"/desk/attachment/{attachment.pk}/"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;"), url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert response["Content-Type"].split(";")[0] not in INLINE_RUNNABLE, url
        assert (
            b"".join(response.streaming_content if response.streaming else [response.content])
            == data
        )
