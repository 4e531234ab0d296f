from django.apps import AppConfig
from django.db.models.signals import post_save


class SlaConfig(AppConfig):
    name = "santacare.sla"

    def ready(self) -> None:
        from santacare.tickets.models import Event

        from .due_index import event_saved

        post_save.connect(event_saved, sender=Event, dispatch_uid="santacare-sla-next-due")
