"""The outbox's durable state: one row per mail the desk owes, written in the transaction that
owes it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel


class OutboundMail(TimestampedModel):
    """The outbox: a row is written in the transaction that owes the mail, sent after commit.

    Delivery is at-least-once: a crash between the SMTP server's 250 and marking the row sent
    sends it again, with the same Message-ID, so the recipient's client shows it once.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent: automatic-reply limit")

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        REPLY = "reply", _("Reply")
        REFUSAL = "refusal", _("Refusal")
        NOTIFICATION = "notification", _("Notification")

    to = models.JSONField(_("to"), default=list)
    # The first recipient, lower case: the per-recipient daily cap on automatic mail counts it.
    recipient = models.CharField(_("recipient"), max_length=254, db_index=True)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    auto_submitted = models.BooleanField(default=False)
    kind = models.CharField(_("kind"), max_length=40, default=Kind.NOTIFICATION)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_mails",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        # The table keeps the name it had when the outbox lived in the mail gateway.
        db_table = "mailgate_outboundmail"
        verbose_name = _("outbound mail")
        verbose_name_plural = _("outbound mail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["recipient", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.subject[:60]}"
