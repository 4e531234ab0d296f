"""`santacare backup` and `santacare restore`: a backup restored into an empty PostgreSQL
database and an empty bucket shows the same tickets and files, and the restored system passes
`check --deploy` with production settings (docs/OPERATIONS.md)."""

import json
import secrets
import sqlite3
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.tickets.models import Attachment, Ticket
from tests.operations.test_storage import MAIL_WITH_FILES
from tests.support.s3 import ACCESS_KEY, REGION, SECRET_KEY
from tests.support.santacare import database_url, santacare

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_database():
    """A new PostgreSQL database beside the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL")
    name = f"sc_restore_{uuid.uuid4().hex[:10]}"
    admin = {**connection.get_connection_params(), "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as postgres:
        postgres.execute(f'CREATE DATABASE "{name}"')
    yield database_url().rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(**admin) as postgres:
        postgres.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_into_an_empty_system_with_the_same_tickets_and_files(
    tmp_path, s3_server, s3_bucket, empty_database, alice, alice_device
):
    receive_mail(MAIL_WITH_FILES, source=InboundMail.Source.SMTP)
    tickets = sorted(Ticket.objects.values_list("tracking_number", "subject"))
    files = sorted(
        [
            *Attachment.objects.values_list("file", flat=True),
            InboundMail.objects.get().raw_file.name,
        ]
    )
    assert len(files) == 4

    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert (manifest["tickets"], manifest["files"]) == (1, 4)

    new_bucket = s3_server.new_bucket()
    production = {
        "DATABASE_URL": empty_database,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SANTACARE_INSECURE_DEV_KEY": "false",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "desk.example.fi",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
        "SANTACARE_S3_BUCKET": new_bucket,
        "SANTACARE_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "SANTACARE_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "SANTACARE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "SANTACARE_S3_REGION": REGION,
        "LOG_LEVEL": "WARNING",
    }
    restored = santacare("restore", str(tmp_path / "backup"), **production)
    assert restored.returncode == 0, restored.stderr
    assert b"(1 tickets) and 4 files" in restored.stdout
    assert s3_server.keys(new_bucket) == files

    with psycopg.connect(empty_database) as database:
        rows = database.execute(
            "SELECT tracking_number, subject FROM tickets_ticket ORDER BY 1"
        ).fetchall()
    assert sorted(rows) == tickets

    check = santacare(
        "check", "--deploy", "--database", "default", "--fail-level", "WARNING", **production
    )
    assert check.returncode == 0, check.stderr + check.stdout
    assert santacare("migrate", "--check", **production).returncode == 0

    again = santacare("restore", str(tmp_path / "backup"), **production)
    assert again.returncode != 0
    assert b"The database is not empty" in again.stderr


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old").write_text("an earlier backup")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(tmp_path))


def test_sqlite_backup_restores_into_a_new_database_file_with_local_files(
    tmp_path, settings, alice, alice_device
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path (its online backup API); PostgreSQL's is tested above")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    settings.MAILGATE_RAW_IN_STORAGE = True
    receive_mail(MAIL_WITH_FILES, source=InboundMail.Source.SMTP)
    tickets = sorted(Ticket.objects.values_list("tracking_number", flat=True))
    call_command("backup", str(tmp_path / "backup"))

    restored_var = tmp_path / "restored"
    restored = santacare(
        "restore",
        str(tmp_path / "backup"),
        DATABASE_URL=f"sqlite:///{restored_var / 'santacare.sqlite3'}",
        SANTACARE_VAR_DIR=str(restored_var),
    )
    assert restored.returncode == 0, restored.stderr
    assert b"(1 tickets) and 4 files" in restored.stdout
    assert len([p for p in (restored_var / "files").rglob("*") if p.is_file()]) == 4
    with sqlite3.connect(restored_var / "santacare.sqlite3") as database:
        rows = database.execute("SELECT tracking_number FROM tickets_ticket").fetchall()
    assert sorted(row[0] for row in rows) == tickets
