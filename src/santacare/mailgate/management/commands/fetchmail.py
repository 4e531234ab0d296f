"""Fetch inbound mail from the IMAP mailbox of IMAP_URL (or --url): once, by polling, or IDLE."""

import logging
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from santacare.mailgate.imap import MailboxConfig, connect, fetch_mailbox, idle_until_mail

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="", help="imap[s]://user:password@host:port/INBOX")
        parser.add_argument("--once", action="store_true", help="Fetch once and exit.")
        parser.add_argument("--idle", action="store_true", help="Wait with IMAP IDLE.")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between polls.")

    def handle(self, **options: Any) -> None:
        url = options["url"] or settings.IMAP_URL
        if not url:
            raise CommandError("Set IMAP_URL or pass --url.")
        if options["once"]:
            result = fetch_mailbox(url)
            self.stdout.write(
                f"{result.stored} stored, {result.duplicates} duplicates, "
                f"{result.left_in_mailbox} left in the mailbox"
            )
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        config = MailboxConfig.from_url(url)
        while not stop.is_set():
            try:
                client = connect(config)
                try:
                    while not stop.is_set():
                        fetch_mailbox(url, client=client)
                        if options["idle"]:
                            idle_until_mail(client, seconds=options["interval"])
                        else:
                            stop.wait(options["interval"])
                finally:
                    client.logout()
            except Exception:
                # A dropped connection or a database outage: wait, reconnect, carry on.
                logger.exception("Fetching mail failed; retrying in %s s", options["interval"])
                stop.wait(options["interval"])
