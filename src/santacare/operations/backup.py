"""Backup and restore: the database and the files, into one directory and back.

PostgreSQL is dumped with pg_dump's custom format and restored with pg_restore; SQLite is copied
with its online backup API (a consistent copy while the desk runs). The files (attachments, raw
mail) are read through Django's storage, so local disk and an S3 bucket back up the same way, and
restore into whichever storage the restoring system is configured with. `manifest.json` records
what was taken, and restore checks the result against it.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from santacare.core.time import now
from santacare.tickets.models import Ticket

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"


class BackupError(Exception):
    """Refused or failed, with a sentence for the operator."""


@dataclass
class Summary:
    database: str
    tickets: int
    files: int


def _stored_names(storage: Storage, path: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{path}/{name}" if path else name
    for directory in directories:
        yield from _stored_names(storage, f"{path}/{directory}" if path else directory)


def _safe_relative(name: str) -> PurePosixPath:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise BackupError(f"Refusing a file name outside the backup: {name}")
    return relative


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    database = connection.settings_dict
    arguments = [
        f"--host={database['HOST'] or '127.0.0.1'}",
        f"--port={database['PORT'] or 5432}",
        f"--username={database['USER']}",
        f"--dbname={database['NAME']}",
    ]
    environment = {**os.environ, "PGPASSWORD": str(database["PASSWORD"] or "")}
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(command, capture_output=True, env=environment, check=False)  # noqa: S603
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()[-2000:]
        raise BackupError(f"{command[0]} failed: {message}")


def backup(directory: Path) -> Summary:
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new directory.")
    directory.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "postgresql":
        arguments, environment = _pg_environment()
        dump = directory / PG_DUMP
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={dump}", *arguments],
            environment,
        )
    elif vendor == "sqlite":
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        target = sqlite3.connect(str(directory / SQLITE_COPY))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        raise BackupError(f"No backup for the {vendor} database.")
    files = 0
    for name in _stored_names(default_storage):
        path = directory / FILES / _safe_relative(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as stored, path.open("wb") as copy:
            shutil.copyfileobj(stored, copy)
        files += 1
    summary = Summary(database=vendor, tickets=Ticket.objects.count(), files=files)
    migrations = sorted(MigrationRecorder.Migration.objects.values_list("app", "name"))
    manifest = {
        "format": FORMAT,
        "created_at": now().isoformat(),
        "database": vendor,
        "tickets": summary.tickets,
        "files": files,
        "migrations": len(migrations),
        "last_migrations": {app: name for app, name in migrations},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return summary


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(directory: Path) -> Summary:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{directory} holds no readable {MANIFEST}: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')} is not {FORMAT}.")
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"The backup is of a {manifest['database']} database; this one is {connection.vendor}."
        )
    if not _database_is_empty():
        raise BackupError("The database is not empty: restore only into a new, empty database.")
    if connection.vendor == "postgresql":
        arguments, environment = _pg_environment()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                *arguments,
                str(directory / PG_DUMP),
            ],
            environment,
        )
    else:
        connection.close()
        source = sqlite3.connect(str(directory / SQLITE_COPY))
        target = sqlite3.connect(str(connection.settings_dict["NAME"]))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    files = 0
    root = directory / FILES
    for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []:
        name = path.relative_to(root).as_posix()
        if default_storage.exists(name):
            raise BackupError(f"The storage already holds {name}: restore into empty storage.")
        with path.open("rb") as content:
            saved = default_storage.save(name, File(content))
        if saved != name:
            raise BackupError(f"The storage renamed {name} to {saved}.")
        files += 1
    summary = Summary(database=connection.vendor, tickets=Ticket.objects.count(), files=files)
    if (summary.tickets, summary.files) != (manifest["tickets"], manifest["files"]):
        raise BackupError(
            f"Restored {summary.tickets} tickets and {summary.files} files; the backup had "
            f"{manifest['tickets']} and {manifest['files']}."
        )
    return summary
