from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts exist only for technical contacts recorded in the customer's data (R11)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
