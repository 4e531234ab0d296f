from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "santacare.accounts"

    def ready(self) -> None:
        # Connects the receiver of allauth's "authenticator added" signal.
        from . import mfa  # noqa: F401
