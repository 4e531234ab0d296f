"""Attachments and raw mail on S3-compatible object storage (SANTACARE_S3_*), against a real
S3 server (moto_server) over HTTP; rows stored before, with their bytes in the database, are read
as ever (docs/OPERATIONS.md)."""

import hashlib
from pathlib import Path

import pytest

from santacare.mailgate.inbound import process_stored_mail, receive_mail
from santacare.mailgate.models import InboundMail
from santacare.tickets.attachments import attachment_response
from santacare.tickets.models import Attachment

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
MAIL_WITH_FILES = (FIXTURES / "attachments_inline_and_pdf.eml").read_bytes()


def test_r2_mail_and_its_attachments_go_to_the_bucket(s3_server, s3_bucket, alice, alice_device):
    outcome = receive_mail(MAIL_WITH_FILES, source=InboundMail.Source.SMTP)

    assert outcome.outcome == "created"
    mail = InboundMail.objects.get()
    assert bytes(mail.raw) == b""
    assert mail.raw_message() == MAIL_WITH_FILES
    keys = s3_server.keys(s3_bucket)
    assert mail.raw_file.name in keys
    attachments = Attachment.objects.order_by("filename")
    assert attachments.count() == 3
    assert {attachment.file.name for attachment in attachments} <= set(keys)
    pdf = attachments.get(filename="lähetys raportti.pdf")
    response = attachment_response(pdf)
    assert hashlib.sha256(response.content).hexdigest() == pdf.sha256
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_same_mail_twice_leaves_one_object(s3_server, s3_bucket, alice, alice_device):
    receive_mail(MAIL_WITH_FILES, source=InboundMail.Source.SMTP)
    before = s3_server.keys(s3_bucket)
    second = receive_mail(MAIL_WITH_FILES, source=InboundMail.Source.SMTP)
    assert second.outcome == "duplicate"
    assert s3_server.keys(s3_bucket) == before


def test_a_row_stored_in_the_database_before_is_still_read(
    s3_bucket, alice, alice_device, settings
):
    settings.MAILGATE_RAW_IN_STORAGE = False
    mail = InboundMail.objects.create(
        raw=MAIL_WITH_FILES,
        size=len(MAIL_WITH_FILES),
        sha256=hashlib.sha256(MAIL_WITH_FILES).hexdigest(),
        dedup_key="older-row",
        source=InboundMail.Source.SMTP,
        received_at="2026-11-30T10:00:00+02:00",
    )
    settings.MAILGATE_RAW_IN_STORAGE = True
    assert process_stored_mail(mail.pk).outcome == "created"
    assert Attachment.objects.count() == 3


def test_readiness_names_the_storage_when_the_bucket_is_unreachable(client, settings, s3_server):
    unreachable = s3_server.storage("no-such-bucket")
    unreachable["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"  # type: ignore[index]
    settings.STORAGES = {**settings.STORAGES, "default": unreachable}
    body = client.get("/readyz").json()
    assert "storage" in body["failing"]
    assert body["checks"]["storage"]["error"] == "EndpointConnectionError"
