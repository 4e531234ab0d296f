"""Run the embedded desk in one terminal: web, the workers, the SMTP listener.

They listen where SANTACARE_WEB_ADDRESS and SANTACARE_SMTP_ADDRESS say (127.0.0.1:8000 and
127.0.0.1:2525 by default). Unless EMAIL_URL is set, a development sink at SANTACARE_SINK_ADDRESS
(127.0.0.1:1025) saves the mail the desk sends as .eml files under var/sent-mail/, so a
walk-through sees its acknowledgements.

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
from django.core.management.base import BaseCommand, CommandError

from santacare.demo.data import demo_password


def split_address(address: str, *, variable: str) -> tuple[str, str]:
    """Return (host, port) of "host:port"; anything else stops the start with the variable named."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"{variable} must be host:port, e.g. 127.0.0.1:8000 (got {address!r})")
    return host, port


class Command(BaseCommand):
    help = __doc__

    def handle(self, **options: Any) -> None:
        santacare = [sys.executable, "-m", "santacare"]
        web_host, web_port = split_address(settings.WEB_ADDRESS, variable="SANTACARE_WEB_ADDRESS")
        smtp_host, smtp_port = split_address(
            settings.SMTP_ADDRESS, variable="SANTACARE_SMTP_ADDRESS"
        )
        sink_host, sink_port = split_address(
            settings.SINK_ADDRESS, variable="SANTACARE_SINK_ADDRESS"
        )
        parts = {
            "web": [*santacare, "runserver", f"{web_host}:{web_port}", "--noreload"],
            "worker": [*santacare, "run_huey"],
            "mail worker": [*santacare, "mail_worker"],
            "smtp": [*santacare, "smtpd", "--host", smtp_host, "--port", smtp_port],
        }
        sent_mail_dir = settings.VAR_DIR / "sent-mail"
        dev_sink = not settings.EMAIL_URL
        if dev_sink:
            parts["sent-mail sink"] = [
                *santacare,
                "smtpd",
                "--host",
                sink_host,
                "--port",
                sink_port,
                "--outbox-dir",
                str(sent_mail_dir),
            ]
        # The demo's staff logins work without a phone; every page then says so (a banner).
        env = os.environ | {"SANTACARE_DEMO": os.environ.get("SANTACARE_DEMO", "true")}
        processes = {
            name: subprocess.Popen(command, env=env)  # noqa: S603
            for name, command in parts.items()
        }

        web = f"http://{web_host}:{web_port}"
        self.stdout.write(f"\nSantaCare Service Desk: {web}/")
        self.stdout.write(f"  admin:  {web}/admin/")
        self.stdout.write(f"  mail:   smtp://{smtp_host}:{smtp_port} (to {settings.SUPPORT_EMAIL})")
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
