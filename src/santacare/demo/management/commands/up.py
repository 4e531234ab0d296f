"""Run the embedded desk in one terminal: web on 127.0.0.1:8000, the worker, the SMTP listener.

Unless EMAIL_URL is set, a development sink on 127.0.0.1:1025 saves the mail the desk sends as
.eml files under var/sent-mail/, so a walk-through sees its acknowledgements.

Used by `make run`. Each part is an ordinary `santacare` command; this one starts them, prints
where they listen, and stops all of them when one stops or on Ctrl-C.
"""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from santacare.demo.data import demo_password

WEB_ADDRESS = "127.0.0.1:8000"
SMTP_ADDRESS = "127.0.0.1:2525"
DEV_SINK_PORT = "1025"


class Command(BaseCommand):
    help = __doc__

    def handle(self, **options: Any) -> None:
        santacare = [sys.executable, "-m", "santacare"]
        parts = {
            "web": [*santacare, "runserver", WEB_ADDRESS, "--noreload"],
            "worker": [*santacare, "run_huey"],
            "mail worker": [*santacare, "mail_worker"],
        }
        host, port = SMTP_ADDRESS.split(":")
        parts["smtp"] = [*santacare, "smtpd", "--host", host, "--port", port]
        sent_mail_dir = settings.VAR_DIR / "sent-mail"
        dev_sink = not settings.EMAIL_URL
        if dev_sink:
            parts["sent-mail sink"] = [
                *santacare,
                "smtpd",
                "--host",
                "127.0.0.1",
                "--port",
                DEV_SINK_PORT,
                "--outbox-dir",
                str(sent_mail_dir),
            ]
        # The demo's staff logins work without a phone; every page then says so (a banner).
        env = os.environ | {"SANTACARE_DEMO": os.environ.get("SANTACARE_DEMO", "true")}
        processes = {
            name: subprocess.Popen(command, env=env)  # noqa: S603
            for name, command in parts.items()
        }

        self.stdout.write(f"\nSantaCare Service Desk: http://{WEB_ADDRESS}/")
        self.stdout.write(f"  admin:  http://{WEB_ADDRESS}/admin/")
        self.stdout.write(f"  mail:   smtp://{SMTP_ADDRESS} (to {settings.SUPPORT_EMAIL})")
        if dev_sink:
            self.stdout.write(f"  sent:   {sent_mail_dir}/*.eml (set EMAIL_URL to deliver)")
        self.stdout.write(
            f"  demo password for every demo login: {demo_password(settings.VAR_DIR)}"
        )
        self.stdout.write(
            "  logins: agentti@santacare.example, tekninen@esimerkki.fi, it@toinen.fi,"
        )
        self.stdout.write("          admin@santacare.example (Ctrl-C stops everything)\n")

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                process.wait(timeout=10)
