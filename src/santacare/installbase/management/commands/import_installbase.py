"""Import devices, contracts, customers and sites from a CSV file (all rows or none)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from santacare.installbase.imports import COLUMNS, import_install_base


class Command(BaseCommand):
    help = f"{__doc__} Columns: {', '.join(COLUMNS)}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *, file: Path, dry_run: bool, **options: Any) -> None:
        report = import_install_base(file.read_bytes(), dry_run=dry_run)
        for line, error in report.errors:
            self.stderr.write(f"line {line}: {error}")
        if not report.ok:
            raise CommandError(f"{len(report.errors)} errors; nothing was imported.")
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{report.rows} rows ({verb} written)")
        self.stdout.write(f"  created: {report.created}\n  updated: {report.updated}")
