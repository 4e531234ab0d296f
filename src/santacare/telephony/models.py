"""Calls as the phone system reports them (R7): who called, when, for how long, who answered,
and the ticket the call was about."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel
from santacare.customers.models import Contact
from santacare.tickets.models import Ticket

MAX_CALL_ID_LENGTH = 250


class Call(TimestampedModel):
    class Direction(models.TextChoices):
        IN = "in", _("Incoming")
        OUT = "out", _("Outgoing")

    class State(models.TextChoices):
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", _("Answered")
        ENDED = "ended", _("Ended")

    # The switchboard's own id: every later event of the call names it.
    call_id = models.CharField(_("call id"), max_length=MAX_CALL_ID_LENGTH, unique=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.RINGING)
    from_number = models.CharField(_("from"), max_length=40, blank=True)
    to_number = models.CharField(_("to"), max_length=40, blank=True)
    # The customer's end of the call (the caller of an incoming call), in E.164; "" when the
    # number was withheld or is not a phone number.
    number_e164 = models.CharField(_("customer's number"), max_length=20, blank=True, db_index=True)
    # The extension that rings; once answered, the answering agent's. The desk banner's one query.
    extension = models.CharField(_("extension"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hangup_cause = models.CharField(_("hangup cause"), max_length=40, blank=True)
    # The one contact whose number it is, when exactly one has it.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    # When the call was written on its ticket, so it is written once.
    recorded_at = models.DateTimeField(_("recorded on the ticket"), null=True, blank=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["extension", "state", "started_at"])]

    def __str__(self) -> str:
        return f"{self.call_id} {self.from_number} → {self.to_number}"

    @property
    def customer_number(self) -> str:
        return self.from_number if self.direction == self.Direction.IN else self.to_number

    @property
    def duration(self) -> timedelta | None:
        """Talk time: from the answer to the hang-up; None while it lasts or if never answered."""
        if self.answered_at and self.ended_at:
            return max(self.ended_at - self.answered_at, timedelta(0))
        return None
