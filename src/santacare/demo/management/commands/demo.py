"""Load the demo data set (idempotent): Esimerkki Oy, Toinen Oy, their devices and logins."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from santacare.demo.data import demo_password, load_demo_data


class Command(BaseCommand):
    help = __doc__

    def handle(self, **options: Any) -> None:
        password = demo_password(settings.VAR_DIR)
        logins = load_demo_data(password=password)
        self.stdout.write(f"Demo logins (password for all: {password}):")
        for login in logins:
            self.stdout.write(f"  {login.email:40} {login.role}")
