"""SLA targets as data (admin-editable), and what the clocks have produced.

Deadlines are never stored: clocks are derived from the ticket's history on every read
(clocks.py). What is stored is configuration (targets; the calendars are the calendars app's),
the notices sent (once each), and the measured result of every stopped clock, which the reports
aggregate.
"""

from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel
from santacare.customers.models import Customer, Site
from santacare.installbase.models import Device, ServiceLevel
from santacare.tickets.models import Channel, Priority, Ticket


class ClockName(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESTORE = "restore", _("Restore")
    REPLACEMENT = "replacement", _("Replacement delivery")


class ReplacementRule(models.TextChoices):
    NEXT_BUSINESS_DAY = "nbd", _("Next business day (with an order cut-off)")
    HOURS = "hours", _("Within a number of covered hours")


class SlaTarget(TimestampedModel):
    """How fast one service level promises to act on one priority (R1)."""

    service_level = models.ForeignKey(
        ServiceLevel,
        verbose_name=_("service level"),
        on_delete=models.CASCADE,
        related_name="sla_targets",
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority)
    response_minutes = models.PositiveIntegerField(
        _("response target (minutes)"),
        help_text=_("Covered time until the first public reply from an agent."),
    )
    restore_minutes = models.PositiveIntegerField(
        _("restore target (minutes)"),
        help_text=_("Covered time until the service is restored or a workaround is in place."),
    )
    replacement_rule = models.CharField(
        _("replacement delivery"),
        max_length=10,
        choices=ReplacementRule,
        default=ReplacementRule.NEXT_BUSINESS_DAY,
    )
    replacement_minutes = models.PositiveIntegerField(
        _("replacement target (minutes)"),
        null=True,
        blank=True,
        help_text=_("Only for a delivery within a number of covered hours."),
    )
    replacement_cutoff = models.TimeField(
        _("order cut-off (Helsinki time)"),
        default=time(15, 0),
        help_text=_("A next-business-day replacement ordered after this ships a day later."),
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of target)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["service_level__name", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "priority"], name="sla_target_one_per_priority"
            ),
            models.CheckConstraint(
                condition=models.Q(replacement_rule="nbd")
                | models.Q(replacement_minutes__isnull=False),
                name="sla_target_hours_rule_has_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_level} {self.priority}"


class NoticeKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class SlaNotice(models.Model):
    """A warning or breach notice: the unique constraint is what makes each one go out once."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_notices")
    clock = models.CharField(_("clock"), max_length=20, choices=ClockName)
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind)
    due = models.DateTimeField(_("due"))
    recipients = models.JSONField(_("recipients"), default=list)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA notice")
        verbose_name_plural = _("SLA notices")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "clock", "kind"], name="sla_notice_once_per_clock"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.tracking_number} {self.clock} {self.kind}"


class ClockResult(models.Model):
    """The measured outcome of a stopped clock, with the report dimensions copied from the ticket
    so that a report over a million tickets is one scan of one table. Recomputed from history
    whenever the stop instant changes (`santacare sla sweep`, `santacare sla recompute`)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clock_results")
    clock = models.CharField(_("clock"), max_length=20, choices=ClockName)
    started_at = models.DateTimeField(_("started"))
    stopped_at = models.DateTimeField(_("stopped"))
    target_minutes = models.PositiveIntegerField(_("target (minutes)"), null=True)
    elapsed_minutes = models.PositiveIntegerField(_("counted (minutes)"))
    met = models.BooleanField(
        _("met"),
        null=True,
        help_text=_(
            "Empty when there was nothing to measure: closed by the customer before any response."
        ),
    )
    # Report dimensions (R5): month is the first day of the Helsinki month the ticket came in.
    month = models.DateField(_("month"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    contract_number = models.CharField(_("contract number"), max_length=40, blank=True)
    service_level = models.ForeignKey(
        ServiceLevel, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    # The finer dimensions of the portal-opened tickets' report: the device and its site.
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, related_name="+")
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("clock result")
        verbose_name_plural = _("clock results")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "clock"], name="sla_result_one_per_clock")
        ]
        indexes = [
            models.Index(fields=["clock", "month"]),
            models.Index(fields=["customer", "clock", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.clock}"
