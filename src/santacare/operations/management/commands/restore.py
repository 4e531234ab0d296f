"""santacare restore DIR: a backup into an empty database and storage, checked against its
manifest."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from santacare.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, **options: Any) -> None:
        try:
            summary = restore(options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the {summary.database} database ({summary.tickets} tickets) and "
            f"{summary.files} files from {options['directory']}"
        )
