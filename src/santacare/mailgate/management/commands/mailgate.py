"""Receive one message on stdin, as an MTA pipe delivers it (Postfix `pipe`, Exim, procmail).

Exits 0 once the message is stored and processed (whatever became of it: see --json; a
malformed one is quarantined), 75 (EX_TEMPFAIL) when the database cannot take it, so the MTA
keeps it and retries, and 65 (EX_DATAERR) only for a message over the size limit, which the MTA
bounces to its sender.
"""

import json
import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.mailgate.store import MAX_RAW_BYTES

logger = logging.getLogger(__name__)

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")
        parser.add_argument("--sender", default="", help="Envelope sender (Postfix ${sender}).")
        parser.add_argument("--recipient", action="append", default=[], help="Envelope recipient.")

    def handle(self, **options: Any) -> None:
        raw = sys.stdin.buffer.read(MAX_RAW_BYTES + 1)
        if len(raw) > MAX_RAW_BYTES:
            self.stderr.write(f"Message larger than {MAX_RAW_BYTES} bytes: not accepted.")
            sys.exit(EX_DATAERR)
        try:
            outcome = receive_mail(
                raw,
                source=InboundMail.Source.PIPE,
                envelope_sender=options["sender"],
                envelope_recipients=options["recipient"],
            )
        except Exception as error:
            # Not stored, or stored but the database went away before processing: either way
            # the MTA keeps the message and delivers it again; the stored copy de-duplicates.
            logger.exception("Could not store or process the message")
            self.stderr.write(f"Temporary failure, try again later: {type(error).__name__}")
            sys.exit(EX_TEMPFAIL)
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(f"{outcome.outcome} {outcome.tracking_number or ''}".strip())
