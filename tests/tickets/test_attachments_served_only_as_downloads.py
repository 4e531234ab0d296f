"""Attachments served only as downloads: a file's type comes from its bytes, never from the
sender's claim, in every channel (portal, desk, mail); requests are capped in size; stored
files sit where their folder says, once (R2, R4)."""

import gzip
import importlib
import io
import re
import struct
import zipfile
import zlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from santacare.mailgate.inbound import receive_mail
from santacare.tickets.attachments import attachment_response, store_attachment
from santacare.tickets.filetypes import content_type_from_bytes
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Attachment, Channel
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def file_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def ticket(alice, alice_device):
    request = TicketRequest(
        channel=Channel.PORTAL,
        contact=alice,
        subject="Kytkin ei käynnisty",
        description="Virtavalo ei syty.",
        serial_number="FOC2233X0AB",
    )
    return open_ticket(request).ticket


@pytest.mark.parametrize(
    ("data", "claimed", "stored"),
    [
        (PDF, "application/pdf", "application/pdf"),
        (png(), "image/png", "image/png"),
        (png(), "application/octet-stream", "image/png"),
        (png(), "", "image/png"),
        (JPEG, "image/jpg", "image/jpeg"),
        (GIF, "image/gif", "image/gif"),
        (docx(), DOCX, DOCX),
        (docx(), "application/zip", "application/zip"),
        (OLE, "application/msword", "application/msword"),
        (gzip.compress(b"show tech"), "application/x-gzip", "application/gzip"),
        ("Kytkin käynnistyy uudelleen.\n".encode(), "text/plain", "text/plain"),
        ("sarja;tyyppi\nFOC1;C9300\n".encode("cp1252"), "text/csv", "text/csv"),
        (b"show version\n", "application/octet-stream", "text/plain"),
        # The claim contradicts the bytes: nothing a browser could render is stored.
        (HTML, "image/png", "application/octet-stream"),
        (HTML, "text/plain", "application/octet-stream"),
        (b"  \n<p>hei</p>", "application/pdf", "application/octet-stream"),
        (SVG, "image/png", "application/octet-stream"),
        (png(), "image/jpeg", "application/octet-stream"),
        (png(), "text/html", "application/octet-stream"),
        (b"\x00\x01\x02\x03binary", "image/png", "application/octet-stream"),
        (HTML, "text/html", "text/html"),
    ],
)
def test_attachments_served_only_as_downloads_type_comes_from_the_bytes(data, claimed, stored):
    assert content_type_from_bytes(data, claimed=claimed) == stored


def test_attachments_served_only_as_downloads_html_claimed_as_png_in_the_portal(alice, ticket):
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    client = Client()
    client.force_login(alice.user)
    upload = SimpleUploadedFile("kuva.png", HTML, content_type="image/png")

    client.post(
        f"/portal/tickets/{ticket.tracking_number}/reply/", {"body": "Kuva", "files": [upload]}
    )

    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/octet-stream"
    response = client.get(f"/portal/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_attachments_served_only_as_downloads_html_claimed_as_png_at_the_desk(ticket):
    client = Client()
    client.force_login(AgentFactory())
    upload = SimpleUploadedFile("kuva.png", HTML, content_type="image/png")

    client.post(f"/desk/t/{ticket.tracking_number}/reply/", {"body": "Kuva", "attachment": upload})

    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/octet-stream"
    response = client.get(f"/desk/attachment/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_attachments_served_only_as_downloads_mail_part_typed_by_its_bytes(alice, alice_device):
    raw = (
        f"From: {alice.email}\r\nTo: support@santacare.example\r\n"
        "Subject: Kytkin FOC2233X0AB ei käynnisty\r\nMessage-ID: <kuvat@alice.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKuvat liitteenä.\r\n"
        '--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename="a.png"'
        f"\r\n\r\n{HTML.decode()}\r\n"
        "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        'filename="raportti.pdf"\r\n\r\n'
        f"{PDF.decode()}\r\n--b--\r\n"
    ).encode()

    receive_mail(raw, source="smtp")

    types = dict(Attachment.objects.values_list("filename", "content_type"))
    assert types == {"a.png": "application/octet-stream", "raportti.pdf": "application/pdf"}


def test_attachments_served_only_as_downloads_a_row_stored_with_a_false_claim(ticket):
    attachment = store_attachment(
        ticket.messages.get(), filename="kuva.png", content_type="image/png", data=HTML
    )
    # As stored before types came from the bytes: the sender's claim.
    Attachment.objects.filter(pk=attachment.pk).update(content_type="image/png")
    attachment.refresh_from_db()

    response = attachment_response(attachment)

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_attachments_served_only_as_downloads_storage_path_names_its_folder_once(ticket):
    attachment = store_attachment(
        ticket.messages.get(), filename="raportti.pdf", content_type="application/pdf", data=PDF
    )

    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{2}/[0-9a-f]{32}", attachment.file.name)
    assert default_storage.open(attachment.file.name).read() == PDF


def test_attachments_served_only_as_downloads_migration_moves_stored_files(ticket):
    attachment = store_attachment(
        ticket.messages.get(), filename="raportti.pdf", content_type="application/pdf", data=PDF
    )
    inner = "attachments/2026/11/ab/0123456789abcdef0123456789abcdef"
    doubled = f"attachments/2026/11/{inner}"
    default_storage.delete(attachment.file.name)
    assert default_storage.save(doubled, ContentFile(PDF)) == doubled
    Attachment.objects.filter(pk=attachment.pk).update(file=doubled)
    migration = importlib.import_module(
        "santacare.tickets.migrations.0006_attachment_paths_without_repeated_prefix"
    )

    migration.move_files(apps, None)
    migration.move_files(apps, None)  # a second run finds nothing to move

    attachment.refresh_from_db()
    assert attachment.file.name == inner
    assert not default_storage.exists(doubled)
    assert attachment_response(attachment).content == PDF


def test_attachments_served_only_as_downloads_request_over_the_cap_gets_a_413_page(
    alice, ticket, settings
):
    settings.SANTACARE_MAX_REQUEST_BYTES = 1024 * 1024
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    client = Client(headers={"accept-language": "fi"})
    client.force_login(alice.user)
    upload = SimpleUploadedFile("iso.bin", b"x" * (1024 * 1024 + 1))

    response = client.post(
        f"/portal/tickets/{ticket.tracking_number}/reply/", {"body": "Iso", "files": [upload]}
    )

    assert response.status_code == 413
    assert "Liian paljon lähetettäväksi kerralla" in response.content.decode()
    assert Attachment.objects.count() == 0
    assert ticket.messages.count() == 1
