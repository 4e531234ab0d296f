"""The calendars as data: which coverage calendars exist, and the admin's exceptions to them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel

from . import coverage


class Coverage(models.TextChoices):
    """The coverage calendars a service level can promise (R14)."""

    OFFICE_HOURS = coverage.OFFICE_HOURS, _("Office hours (Finnish business days)")
    ALWAYS = coverage.ALWAYS, _("24 × 7")


class CalendarException(TimestampedModel):
    """One day of one coverage calendar made different: a shutdown or a bridge day off, or a
    holiday on which the office is open after all."""

    calendar = models.CharField(
        _("calendar"), max_length=20, choices=Coverage, default=Coverage.OFFICE_HOURS
    )
    day = models.DateField(_("day"))
    is_open = models.BooleanField(
        _("open"), default=False, help_text=_("Off by default; tick to make a day off a workday.")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        # The table keeps the name it had when the calendars lived in the SLA app.
        db_table = "sla_calendarexception"
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["calendar", "day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="sla_exception_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_calendar_display()} {self.day}"
