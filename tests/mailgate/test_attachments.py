"""Attachments: stored outside the web root, served only as downloads, never rendered by us."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from santacare.tickets.attachments import (
    AttachmentTooLargeError,
    attachment_response,
    sanitize_filename,
    store_attachment,
)
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(alice, alice_device):
    result = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=alice,
            subject="Liitteet",
            description="x",
            serial_number="FOC2233X0AB",
        )
    )
    return result.message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ('raportti"; filename=evil.html', "raportti_ filename=evil.html"),
        ("lähetys\r\nraportti.pdf", "lähetys_raportti.pdf"),
        ("", "attachment"),
        ("...", "attachment"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_filenames_are_sanitised(name, expected):
    assert sanitize_filename(name) == expected


def test_store_attachment_records_hash_and_keeps_file_outside_web_root(message):
    data = b"%PDF-1.4 test"
    attachment = store_attachment(
        message, filename="../raportti.pdf", content_type="application/pdf", data=data
    )

    assert attachment.filename == "raportti.pdf"
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.size == len(data)
    path = Path(attachment.file.path)
    assert path.read_bytes() == data
    assert "raportti" not in path.name  # the stored name is ours, not the sender's
    assert not str(path).startswith(str(settings.STATIC_ROOT))
    assert str(path).startswith(str(settings.VAR_DIR / "files"))


def test_store_attachment_refuses_over_the_cap(message, settings):
    settings.SANTACARE_MAX_ATTACHMENT_BYTES = 4
    with pytest.raises(AttachmentTooLargeError):
        store_attachment(message, filename="iso.bin", content_type="x/y", data=b"12345")


@pytest.mark.parametrize(
    ("filename", "content_type", "served_as"),
    [
        ("resume.html", "text/html", "application/octet-stream"),
        ("kuva.svg", "image/svg+xml", "application/octet-stream"),
        ("data.xml", "application/xml", "application/octet-stream"),
        # The bytes are a script, whatever the sender says they are.
        ("loki.txt", "text/plain", "application/octet-stream"),
        ("raportti.pdf", "application/pdf", "application/octet-stream"),
    ],
)
def test_attachment_is_always_a_download(message, filename, content_type, served_as):
    attachment = store_attachment(
        message, filename=filename, content_type=content_type, data=b"<script>alert(1)</script>"
    )

    response = attachment_response(attachment)

    assert response["Content-Type"] == served_as
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.content == b"<script>alert(1)</script>"


def test_non_ascii_filename_is_encoded_per_rfc_6266(message):
    attachment = store_attachment(
        message, filename="lähetys raportti.pdf", content_type="application/pdf", data=b"x"
    )
    disposition = attachment_response(attachment)["Content-Disposition"]
    assert "filename*=UTF-8''l%C3%A4hetys%20raportti.pdf" in disposition
    assert "\n" not in disposition
