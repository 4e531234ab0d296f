"""The writers' signals → webhook deliveries. Connected in WebhooksConfig.ready, so tickets, sla
and rma never import this app (the layers in pyproject.toml)."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from santacare.rma.models import Rma
from santacare.rma.signals import rma_status_changed
from santacare.sla.models import NoticeKind, SlaNotice
from santacare.sla.signals import sla_notice
from santacare.tickets.models import Message, Ticket
from santacare.tickets.signals import message_added, status_changed, ticket_opened

from .models import WebhookEndpoint, WebhookEvent
from .services import forget_subscriptions, queue_webhooks


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    return {
        "tracking_number": ticket.tracking_number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "customer": ticket.customer.name,
        "business_id": ticket.customer.business_id,
        "serial_number": ticket.serial_number,
        "received_at": ticket.received_at,
    }


# At once for this thread, and again after the commit: another thread of the process may have
# read the endpoints as they were before it.
@receiver(post_save, sender=WebhookEndpoint, dispatch_uid="webhooks.endpoint_saved")
@receiver(post_delete, sender=WebhookEndpoint, dispatch_uid="webhooks.endpoint_deleted")
def on_endpoint_changed(sender: type, **kwargs: Any) -> None:
    forget_subscriptions()
    transaction.on_commit(forget_subscriptions)


@receiver(ticket_opened, dispatch_uid="webhooks.ticket_opened")
def on_ticket_opened(sender: type, *, ticket: Ticket, **kwargs: Any) -> None:
    queue_webhooks(WebhookEvent.TICKET_OPENED, lambda: {"ticket": ticket_data(ticket)})


@receiver(message_added, dispatch_uid="webhooks.message_added")
def on_message_added(sender: type, *, message: Message, **kwargs: Any) -> None:
    def data() -> dict[str, Any]:
        return {
            "ticket": ticket_data(message.ticket),
            "message": {
                "id": message.pk,
                "direction": message.direction,
                # Internal notes are sent too, marked: the endpoints are the desk's own systems.
                "visibility": message.visibility,
                "channel": message.channel,
                "author": message.author_email,
                "body": message.body,
                "created_at": message.created_at,
            },
        }

    queue_webhooks(WebhookEvent.MESSAGE_ADDED, data)


@receiver(status_changed, dispatch_uid="webhooks.status_changed")
def on_status_changed(
    sender: type, *, ticket: Ticket, old: str, new: str, by_label: str = "", **kwargs: Any
) -> None:
    queue_webhooks(
        WebhookEvent.STATUS_CHANGED,
        lambda: {"ticket": ticket_data(ticket), "old": old, "new": new, "by": by_label},
    )


@receiver(sla_notice, dispatch_uid="webhooks.sla_notice")
def on_sla_notice(sender: type, *, notice: SlaNotice, **kwargs: Any) -> None:
    event = (
        WebhookEvent.SLA_WARNING if notice.kind == NoticeKind.WARNING else WebhookEvent.SLA_BREACHED
    )
    queue_webhooks(
        event,
        lambda: {"ticket": ticket_data(notice.ticket), "clock": notice.clock, "due": notice.due},
    )


@receiver(rma_status_changed, dispatch_uid="webhooks.rma_status_changed")
def on_rma_status_changed(sender: type, *, rma: Rma, old: str, **kwargs: Any) -> None:
    queue_webhooks(
        WebhookEvent.RMA_STATUS_CHANGED,
        lambda: {
            "rma": rma.pk,
            "ticket": ticket_data(rma.ticket),
            "old": old,
            "new": rma.status,
            "part_number": rma.part_number,
            "failed_serial": rma.failed_serial,
            "replacement_serial": rma.replacement_serial,
        },
    )
