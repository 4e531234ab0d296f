from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "santacare.webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # The writers below send their signals without knowing who listens; this app listens.
        from . import receivers  # noqa: F401
