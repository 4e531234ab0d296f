"""Receive one message on stdin, as an MTA pipe delivers it (Postfix `pipe`, Exim, procmail).

Exits 0 once the message is stored and processed (whatever became of it: see --json; a
malformed one is quarantined) and 65 (EX_DATAERR) only for a message over the size limit,
which the MTA bounces to its sender. Any other failure (configuration, start-up, database,
storage, arguments, a bug) exits 75 (EX_TEMPFAIL): the MTA keeps the message and retries, and
the stored copy de-duplicates the retry. stderr carries one line; details go to the log.
"""

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.mailgate.pipe import MessageTooLarge
from santacare.mailgate.store import MAX_RAW_BYTES


class Command(BaseCommand):
    help = __doc__
    # Run once per delivered mail: the system checks (`santacare check`) cost 0.15 s of about
    # 1.1 s each time and say nothing about this message.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")
        parser.add_argument(
            "--sender", default="", help="Envelope sender (Postfix --sender=${sender})."
        )
        parser.add_argument(
            "--recipient", action="append", default=[], help="Envelope recipient (repeatable)."
        )

    def handle(self, **options: Any) -> None:
        raw = sys.stdin.buffer.read(MAX_RAW_BYTES + 1)
        if len(raw) > MAX_RAW_BYTES:
            raise MessageTooLarge(
                f"message larger than {MAX_RAW_BYTES // (1024 * 1024)} MB: not accepted"
            )
        outcome = receive_mail(
            raw,
            source=InboundMail.Source.PIPE,
            envelope_sender=options["sender"],
            envelope_recipients=options["recipient"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(f"{outcome.outcome} {outcome.tracking_number or ''}".strip())
