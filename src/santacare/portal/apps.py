from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "santacare.portal"
