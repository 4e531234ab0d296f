"""Run the SMTP listener that stores inbound mail (the embedded default of `make run`).

With --outbox-dir it is instead a development sink for the mail the desk sends: every message
is saved there as an .eml file (never use it as the inbound listener).
"""

import logging
import signal
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from santacare.mailgate.smtpd import FileSinkHandler, InboundHandler, make_controller


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--outbox-dir", default="", help="Development sink: save mail here.")

    def handle(self, **options: Any) -> None:
        # aiosmtpd logs every command at INFO; the stored InboundMail rows are the record.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        handler = (
            FileSinkHandler(Path(options["outbox_dir"]))
            if options["outbox_dir"]
            else InboundHandler()
        )
        controller = make_controller(handler, host=options["host"], port=options["port"])
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"SMTP listening on {options['host']}:{options['port']}")
        try:
            stop.wait()
        finally:
            controller.stop()
