from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """What an operator watches and runs: readiness (`/readyz`), Prometheus metrics (`/metrics`),
    `santacare backup` and `santacare restore`. It reads from every app, so it sits on top,
    beside the demo (docs/OPERATIONS.md)."""

    name = "santacare.operations"
    verbose_name = _("Operations")
