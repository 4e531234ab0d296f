"""Webhooks: endpoints admins register per event, and every delivery with its attempts."""

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel

RESPONSE_EXCERPT_LENGTH = 500


class WebhookEvent(models.TextChoices):
    TICKET_OPENED = "ticket.opened", _("Ticket opened")
    MESSAGE_ADDED = "message.added", _("Message added")
    STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    SLA_WARNING = "sla.warning", _("SLA warning")
    SLA_BREACHED = "sla.breached", _("SLA breached")
    RMA_STATUS_CHANGED = "rma.status_changed", _("RMA status changed")


_http_only = URLValidator(schemes=["http", "https"])


def validate_webhook_url(value: str) -> None:
    """Only http(s): a file:, ftp: or gopher: URL would make the worker read or talk to things
    no webhook should reach."""
    try:
        _http_only(value)
    except ValidationError:
        raise ValidationError(
            _("Enter an http:// or https:// address."), code="webhook_scheme"
        ) from None


def validate_events(value: object) -> None:
    known = set(WebhookEvent.values)
    if not isinstance(value, list) or not value or not set(value) <= known:
        raise ValidationError(_("Choose at least one event."), code="webhook_events")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(TimestampedModel):
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    # The receiver checks each delivery's signature with it (docs/integrations.md).
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class WebhookDelivery(TimestampedModel):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    # Sent as X-SantaCare-Delivery: a receiver that sees it twice (a retry after a lost answer)
    # knows it is the same event.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent)
    # The exact bytes signed and sent, the same on every attempt.
    body = models.TextField(_("body"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint.name}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(_("attempted"))
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    # The receiver's answer, cut short: enough to see why it failed, never a stored download.
    response = models.CharField(_("answer"), max_length=RESPONSE_EXCERPT_LENGTH, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
