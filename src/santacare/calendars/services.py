"""The one answer to "is this office hours?" and "is this a business day?" (R14).

R8 (phone only outside office hours), RMA return due dates, SLA clocks and every text that
states the office hours ask here, so an admin's calendar exception (a shutdown, a bridge day, a
holiday worked) counts everywhere at once.
"""

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils.translation import gettext

from santacare.core.batch_scope import per_batch
from santacare.core.time import helsinki

from . import coverage
from .models import CalendarException, Coverage


def load_calendar(kind: str = Coverage.OFFICE_HOURS) -> coverage.Calendar:
    """A coverage calendar with all of the admin's exceptions; load once per page or sweep.

    The exceptions are read every time; calendars with the same ones share one laid-out
    timeline per process (coverage.py, timeline.py::shared_timeline), so it is built once rather
    than on every page, request and ticket refresh (issue 12)."""
    return _calendar(kind, CalendarException.objects.filter(calendar=kind))


def _office_calendar_for(day: date) -> coverage.Calendar:
    """The office-hours calendar as far as one day is concerned: one indexed lookup (once
    per day in a batch of work)."""
    return per_batch(
        ("calendars.office_hours", day),
        lambda: _calendar(
            Coverage.OFFICE_HOURS,
            CalendarException.objects.filter(calendar=Coverage.OFFICE_HOURS, day=day),
        ),
    )


def _calendar(kind: str, exceptions: QuerySet[CalendarException]) -> coverage.Calendar:
    return coverage.Calendar(
        kind=kind,
        exceptions={
            day: coverage.DayException(is_open, name)
            for day, is_open, name in exceptions.values_list("day", "is_open", "name")
        },
    )


def is_business_day(day: date) -> bool:
    """A business day of the office-hours calendar: Mon–Fri, no Finnish public holiday, unless
    the admin's exceptions say otherwise."""
    return _office_calendar_for(day).is_business_day(day)


def is_office_hours(moment: datetime) -> bool:
    """In office hours (R8, R14): a business day of the office-hours calendar, between opening
    and closing, Helsinki time."""
    return _office_calendar_for(helsinki(moment).date()).is_covered(moment)


def office_hours_text() -> str:
    """The office hours as people write them, in the active language: "Mon–Fri 8–16"."""
    return gettext("Mon–Fri %(opens)s–%(closes)s") % {
        "opens": _hour(coverage.OFFICE_OPENS),
        "closes": _hour(coverage.OFFICE_CLOSES),
    }


def _hour(moment: time) -> str:
    return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}.{moment.minute:02d}"
