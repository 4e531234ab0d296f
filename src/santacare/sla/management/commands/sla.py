"""SLA from the command line: `sla due` answers "when?", `sla sweep` runs the warning and
breach sweep once, `sla recompute` rewrites every stored result from the tickets' history."""

import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from santacare.core.time import HELSINKI, now
from santacare.installbase.models import ServiceLevel
from santacare.sla.due import due_times
from santacare.sla.notifications import sweep
from santacare.sla.recompute import recompute_results
from santacare.tickets.models import Priority


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        due = commands.add_parser("due", help="Due times for a ticket opened at --start.")
        due.add_argument("--service-level", required=True)
        due.add_argument("--priority", required=True, choices=Priority.values)
        due.add_argument(
            "--start", required=True, help="ISO 8601; without an offset, Helsinki time."
        )
        due.add_argument("--json", action="store_true")
        due.add_argument("--language", choices=["fi", "en"], default=None)
        commands.add_parser("sweep", help="Send due warnings and breach notices once.")
        commands.add_parser("recompute", help="Rewrite all stored clock results.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            result = sweep(now=now())
            self.stdout.write(
                f"warnings {result.warnings}, breaches {result.breaches}, results {result.results}"
            )
        elif options["action"] == "recompute":
            self.stdout.write(f"results {recompute_results(now=now())}")
        else:
            with translation.override(options["language"] or settings.LANGUAGE_CODE):
                self._due(options)

    def _due(self, options: dict[str, Any]) -> None:
        level = ServiceLevel.objects.filter(name__iexact=options["service_level"].strip()).first()
        if level is None:
            known = ", ".join(ServiceLevel.objects.values_list("name", flat=True))
            raise CommandError(f"Unknown service level. Known: {known}")
        try:
            start = datetime.fromisoformat(options["start"])
        except ValueError as error:
            raise CommandError(f"--start is not ISO 8601: {error}") from error
        if start.tzinfo is None:
            start = _helsinki_wall_time(start)
        clocks = due_times(service_level=level, priority=options["priority"], start=start)
        if not clocks:
            raise CommandError(f"{level.name} has no target for {options['priority']}.")
        if options["json"]:
            document = {
                "service_level": level.name,
                "priority": options["priority"],
                "start": start.astimezone(HELSINKI).isoformat(),
                "clocks": [
                    {
                        "name": clock.name,
                        "target_minutes": clock.target_minutes,
                        "due": clock.due.astimezone(HELSINKI).isoformat(),
                        "explanation": clock.explanation,
                    }
                    for clock in clocks
                ],
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        for clock in clocks:
            due = clock.due.astimezone(HELSINKI).isoformat()
            self.stdout.write(f"{clock.label}: {due}")
            for line in clock.explanation:
                self.stdout.write(f"  {line}")


def _helsinki_wall_time(naive: datetime) -> datetime:
    """A wall-clock time in Helsinki, refused when DST makes it missing or ambiguous."""
    first, second = naive.replace(tzinfo=HELSINKI), naive.replace(tzinfo=HELSINKI, fold=1)
    if first.astimezone(UTC).astimezone(HELSINKI).replace(tzinfo=None) != naive:
        raise CommandError(f"{naive:%Y-%m-%d %H:%M} does not exist in Helsinki (DST begins).")
    if first.utcoffset() != second.utcoffset():
        raise CommandError(
            f"{naive:%Y-%m-%d %H:%M} happens twice in Helsinki (DST ends); give the offset, "
            f"e.g. {first.isoformat()} or {second.isoformat()}."
        )
    return first
