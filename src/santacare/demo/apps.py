from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The embedded desk: the demo data set (`santacare demo`) and `santacare up`, which starts
    the web, the worker and the SMTP listener together. It sits above every other app, because
    the demo data touches all of them."""

    name = "santacare.demo"
    verbose_name = _("Demo")
