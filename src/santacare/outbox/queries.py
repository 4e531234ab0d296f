from django.db.models import Model, QuerySet

from .models import OutboundMail


def mail_of_ticket(ticket: Model) -> QuerySet[OutboundMail]:
    """What we mailed about a ticket and whether it went out (delivery status for agents)."""
    return OutboundMail.objects.filter(ticket_id=ticket.pk).order_by("created_at", "id")
