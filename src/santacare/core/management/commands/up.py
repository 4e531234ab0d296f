"""Run the embedded desk in one terminal: web on 127.0.0.1:8000, the worker, the SMTP listener.

Used by `make run`. Each part is an ordinary `santacare` command; this one starts them, prints
where they listen, and stops all of them when one stops or on Ctrl-C.
"""

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand

from santacare.demo import demo_password

WEB_ADDRESS = "127.0.0.1:8000"
SMTP_ADDRESS = "127.0.0.1:2525"


class Command(BaseCommand):
    help = __doc__

    def handle(self, **options: Any) -> None:
        santacare = [sys.executable, "-m", "santacare"]
        parts = {
            "web": [*santacare, "runserver", WEB_ADDRESS, "--noreload"],
            "worker": [*santacare, "run_huey"],
        }
        if "smtpd" in get_commands():
            host, port = SMTP_ADDRESS.split(":")
            parts["smtp"] = [*santacare, "smtpd", "--host", host, "--port", port]
        processes = {name: subprocess.Popen(command) for name, command in parts.items()}  # noqa: S603

        self.stdout.write(f"\nSantaCare Service Desk: http://{WEB_ADDRESS}/")
        self.stdout.write(f"  admin:  http://{WEB_ADDRESS}/admin/")
        if "smtp" in processes:
            self.stdout.write(f"  mail:   smtp://{SMTP_ADDRESS} (to {settings.SUPPORT_EMAIL})")
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
