"""Remove a person's second factor (TOTP and recovery codes) after a lost or replaced phone.

    santacare mfa_reset EMAIL --reason "phone lost, identity checked by phone call to +358..."

Run it only after checking who is asking (see docs/SECURITY.md). Staff, and contacts of a company
that requires it, must enrol a new factor at their next page load; the reset is logged.
"""

import getpass
import logging
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError, CommandParser

from santacare.accounts.models import User

logger = logging.getLogger("santacare.accounts.mfa")


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--reason", required=True, help="why, and how identity was checked")

    def handle(self, *args: Any, email: str, reason: str, **options: Any) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with the address {email}")
        removed, _ = Authenticator.objects.filter(user=user).delete()
        logger.warning(
            "Second factor of %s reset by %s (%d authenticators removed): %s",
            user.email,
            getpass.getuser(),
            removed,
            reason,
        )
        self.stdout.write(f"{user.email}: {removed} authenticators removed; enrol again.")
