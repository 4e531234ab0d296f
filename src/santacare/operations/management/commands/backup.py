"""santacare backup DIR: the database and every stored file into a new directory."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from santacare.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, **options: Any) -> None:
        try:
            summary = backup(options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up the {summary.database} database ({summary.tickets} tickets) and "
            f"{summary.files} files into {options['directory']}"
        )
