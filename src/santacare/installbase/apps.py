from django.apps import AppConfig


class InstallbaseConfig(AppConfig):
    name = "santacare.installbase"
