from django.apps import AppConfig
from django.db.models.signals import post_save


class SlaConfig(AppConfig):
    name = "santacare.sla"

    def ready(self) -> None:
        from santacare.tickets.models import Event, Ticket
        from santacare.tickets.signals import ticket_opening

        from .due_index import due_at_opening, event_saved

        ticket_opening.connect(due_at_opening, sender=Ticket, dispatch_uid="santacare-sla-due-open")
        post_save.connect(event_saved, sender=Event, dispatch_uid="santacare-sla-next-due")
