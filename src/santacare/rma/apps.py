from django.apps import AppConfig


class RmaConfig(AppConfig):
    name = "santacare.rma"
