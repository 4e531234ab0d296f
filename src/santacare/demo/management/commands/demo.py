"""Load the demo data set (idempotent): Esimerkki Oy, Toinen Oy, their devices and logins; in
debug or demo mode also a working day's tickets, mail, access requests and RMAs."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from santacare.demo.activity import load_demo_activity
from santacare.demo.data import demo_password, load_demo_data


class Command(BaseCommand):
    help = __doc__

    def handle(self, **options: Any) -> None:
        started = time.monotonic()
        password = demo_password(settings.VAR_DIR)
        logins = load_demo_data(password=password)
        self.stdout.write(f"Demo logins (password for all: {password}):")
        for login in logins:
            self.stdout.write(f"  {login.email:40} {login.role}")
        if not (settings.DEBUG or settings.DEMO_MODE):
            return
        if settings.EMAIL_URL:
            # The stories queue acknowledgements and replies to the demo's addresses; with a
            # real mail server configured they would leave the machine.
            self.stdout.write("Demo tickets not loaded: EMAIL_URL is set (mail would be sent).")
            return
        loaded = load_demo_activity()
        if loaded is None:
            self.stdout.write("Demo tickets, mail and RMAs: loaded before, nothing added.")
            return
        self.stdout.write(
            f"Demo tickets, {loaded.mails} mails, {loaded.access_requests} access requests and "
            f"RMAs loaded in {time.monotonic() - started:.1f} s."
        )
