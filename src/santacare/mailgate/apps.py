from django.apps import AppConfig


class MailgateConfig(AppConfig):
    name = "santacare.mailgate"
