"""Issue an API token for a technical contact or an agent; the key is printed once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from santacare.accounts.models import User
from santacare.api.models import ApiToken
from santacare.customers.queries import contact_by_email


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="a technical contact's or an agent's email")
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user and user.is_agent:
            token, raw = ApiToken.issue(name=name, user=user)
        else:
            contact = contact_by_email(email)
            if contact is None or not contact.may_open_tickets:
                raise CommandError(f"{email} is neither an agent nor an active technical contact.")
            token, raw = ApiToken.issue(name=name, contact=contact)
        self.stdout.write(f"Token {token} issued. Keep the key, it is not shown again:\n{raw}")
