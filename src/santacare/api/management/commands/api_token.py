"""Issue an API token for a technical contact or an agent; the key is printed once."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from santacare.accounts.models import User
from santacare.core.time import helsinki
from santacare.customers.queries import contact_by_email
from santacare.customers.tokens import DEFAULT_LIFETIME_DAYS, issue_token


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="a technical contact's or an agent's email")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_LIFETIME_DAYS,
            help=f"days until it expires (default {DEFAULT_LIFETIME_DAYS}; 0: never)",
        )

    def handle(self, *, email: str, name: str, days: int, **options: Any) -> None:
        if days < 0:
            raise CommandError("--days cannot be negative.")
        lifetime = timedelta(days=days) if days else None
        user = User.objects.filter(email__iexact=email).first()
        if user and user.is_agent:
            token, raw = issue_token(name=name, user=user, lifetime=lifetime)
        else:
            contact = contact_by_email(email)
            if contact is None or not contact.may_open_tickets:
                raise CommandError(f"{email} is neither an agent nor an active technical contact.")
            token, raw = issue_token(name=name, contact=contact, lifetime=lifetime)
        expiry = (
            f"expires {helsinki(token.expires_at):%Y-%m-%d %H:%M} (Helsinki)"
            if token.expires_at
            else "never expires"
        )
        self.stdout.write(
            f"Token {token} issued, {expiry}. Keep the key, it is not shown again:\n{raw}"
        )
