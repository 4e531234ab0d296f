"""Coverage calendars (R14): Finnish office hours and public holidays, in Europe/Helsinki.

Pure functions, no ORM, so they can be tested exhaustively. All arithmetic runs on UTC instants:
subtracting two aware datetimes that share a ZoneInfo compares wall clocks and gets DST wrong.
Coverage windows are built from Helsinki wall time (08:00–16:00, or local midnight to midnight
for 24 × 7), so a 23- or 25-hour day comes out right on its own.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils.translation import get_language, gettext, pgettext_lazy

from santacare.core.time import HELSINKI

from .timeline import MAX_DAYS, Timeline, merge, shared_timeline

OFFICE_OPENS = time(8, 0)
OFFICE_CLOSES = time(16, 0)
OFFICE_HOURS = "office_hours"
ALWAYS = "24x7"

WEEKDAYS = (
    pgettext_lazy("weekday", "Mon"),
    pgettext_lazy("weekday", "Tue"),
    pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"),
    pgettext_lazy("weekday", "Fri"),
    pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
)


@lru_cache(maxsize=128)
def _finnish_holidays(year: int, language: str = "en_US") -> dict[date, str]:
    # The PUBLIC category of `holidays` already includes Midsummer Eve and Christmas Eve, the
    # de-facto days off; never take a union with WORKDAY (flag days) or UNOFFICIAL.
    return dict(holidays.country_holidays("FI", years=year, language=language))


def _holiday_language() -> str:
    return "fi" if (get_language() or "fi").startswith("fi") else "en_US"


def holiday_name(day: date, *, language: str = "en_US") -> str | None:
    return _finnish_holidays(day.year, language).get(day)


def is_finnish_workday(day: date) -> bool:
    """Mon–Fri and no Finnish public holiday. Knows no admin exceptions: ask a `Calendar`, or
    `calendars.services`, for the desk's answer."""
    return day.weekday() < 5 and holiday_name(day) is None


@dataclass(frozen=True)
class DayException:
    """An admin's override of one day in one calendar: off (Dec 31) or open (a holiday worked)."""

    is_open: bool
    name: str = ""


@dataclass(frozen=True)
class DayStatus:
    day: date
    is_open: bool
    reason: str  # "weekend" | "holiday" | "exception" | "" (open as usual)
    name: str = ""


@dataclass(frozen=True)
class Calendar:
    """A coverage calendar: office hours (Finnish business days 08–16) or 24 × 7."""

    kind: str = OFFICE_HOURS
    exceptions: Mapping[date, DayException] = field(default_factory=dict)
    # The windows laid out for the walks without explanations, built as they are first needed
    # and kept for the process: shared by every equal calendar (same kind and exceptions).
    timeline: Timeline = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = (self.kind, frozenset(self.exceptions.items()))
        object.__setattr__(self, "timeline", shared_timeline(key, self.window))

    def status(self, day: date) -> DayStatus:
        exception = self.exceptions.get(day)
        if exception is not None:
            return DayStatus(day, exception.is_open, "exception", exception.name)
        if self.kind == ALWAYS:
            return DayStatus(day, True, "")
        if day.weekday() >= 5:
            return DayStatus(day, False, "weekend")
        if day in _finnish_holidays(day.year):
            # The name is looked up in the reader's language only when a line explains it.
            return DayStatus(day, False, "holiday")
        return DayStatus(day, True, "")

    def is_open(self, day: date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception.is_open
        return self.kind == ALWAYS or is_finnish_workday(day)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The covered part of a day as UTC instants, or None on a day off."""
        if not self.is_open(day):
            return None
        if self.kind == ALWAYS:
            opens, closes = _local(day, time(0)), _local(day + timedelta(days=1), time(0))
        else:
            opens, closes = _local(day, OFFICE_OPENS), _local(day, OFFICE_CLOSES)
        return opens, closes

    def is_covered(self, moment: datetime) -> bool:
        window = self.window(moment.astimezone(HELSINKI).date())
        return window is not None and window[0] <= moment.astimezone(UTC) < window[1]

    def is_business_day(self, day: date) -> bool:
        """A business day for next-business-day deliveries: office days, with this calendar's
        exceptions."""
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception.is_open
        return is_finnish_workday(day)


@lru_cache(maxsize=16384)
def _local(day: date, at: time) -> datetime:
    # 00:00, 08:00 and 16:00 exist exactly once on every Helsinki day (DST changes at 03:00/04:00).
    return datetime.combine(day, at, tzinfo=HELSINKI).astimezone(UTC)


Interval = tuple[datetime, datetime]


@dataclass
class Walk:
    """The result of walking a calendar: the instant reached, what counted, and why."""

    reached: datetime | None
    counted: timedelta
    lines: list[str]


def format_moment(moment: datetime, *, with_time: bool = True) -> str:
    local = moment.astimezone(HELSINKI)
    text = f"{WEEKDAYS[local.weekday()]} {local.day}.{local.month}."
    return f"{text} {local:%H:%M}" if with_time else text


def format_day(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day}.{day.month}."


def format_duration(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    sign, minutes = ("−", -minutes) if minutes < 0 else ("", minutes)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{sign}{hours} h {minutes} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{minutes} min"


def _subtract(piece: Interval, pauses: Sequence[Interval]) -> list[Interval]:
    pieces = [piece]
    for p_start, p_end in pauses:
        rest = []
        for a, b in pieces:
            if p_end <= a or p_start >= b:
                rest.append((a, b))
                continue
            if a < p_start:
                rest.append((a, p_start))
            if p_end < b:
                rest.append((p_end, b))
        pieces = rest
    return pieces


def walk(
    start: datetime,
    *,
    calendar: Calendar,
    target: timedelta | None = None,
    until: datetime | None = None,
    pauses: Sequence[Interval] = (),
    explain: bool = True,
) -> Walk:
    """Count covered, unpaused time from `start`, stopping when `target` has been counted or at
    `until`, whichever comes first. Adding time and measuring time are this one walk, so they
    always agree. `explain=False` skips the lines (the clocks need them once, not three times)."""
    if target is None and until is None:
        raise ValueError("walk() needs a target or an end")
    if not explain and (target is None or until is None):
        return _look_up(start, calendar=calendar, target=target, until=until, pauses=pauses)
    start = start.astimezone(UTC)
    until = until.astimezone(UTC) if until is not None else None
    pauses = sorted((a.astimezone(UTC), b.astimezone(UTC)) for a, b in pauses if b > a)
    counted = timedelta(0)
    lines: list[str] = []
    if target is not None and target <= timedelta(0):
        return Walk(start, counted, lines)
    if until is not None and until <= start:
        return Walk(until, counted, lines)
    day = start.astimezone(HELSINKI).date()
    closed_run: list[DayStatus] = []
    for _ in range(MAX_DAYS):
        day_start, day_end = _local(day, time(0)), _local(day + timedelta(days=1), time(0))
        window = calendar.window(day)
        reached = None
        on_day = timedelta(0)
        if window is not None:
            opens = max(window[0], start)
            closes = window[1] if until is None else min(window[1], until)
            if opens < closes:
                pieces = _subtract((opens, closes), pauses) if pauses else [(opens, closes)]
                for a, b in pieces:
                    if target is not None and counted + (b - a) >= target:
                        reached = a + (target - counted)
                        on_day += reached - a
                        counted = target
                        break
                    counted += b - a
                    on_day += b - a
        if explain:
            if window is None and day_end > start:
                closed_run.append(calendar.status(day))
            end_point = reached or until
            day_pauses = [
                (a, b)
                for a, b in pauses
                if day_start <= a < day_end and a >= start and (end_point is None or a < end_point)
            ]
            if day_pauses or on_day > timedelta(0):
                _flush_closed(closed_run, lines)
            lines.extend(_pause_line(a, b) for a, b in day_pauses)
            if on_day > timedelta(0):
                lines.append(
                    gettext("%(duration)s counted %(day)s")
                    % {"duration": format_duration(on_day), "day": format_day(day)}
                )
        if reached is not None:
            return Walk(reached, counted, lines)
        if until is not None and until <= day_end:
            return Walk(until, counted, lines)
        day += timedelta(days=1)
    raise ValueError(f"no coverage within {MAX_DAYS} days of {start.isoformat()}")


def _look_up(
    start: datetime,
    *,
    calendar: Calendar,
    target: timedelta | None,
    until: datetime | None,
    pauses: Sequence[Interval],
) -> Walk:
    """`walk` without lines, by table look-up (timeline.py): the same answers."""
    start = start.astimezone(UTC)
    if target is not None and target <= timedelta(0):
        return Walk(start, timedelta(0), [])
    if until is not None:
        until = until.astimezone(UTC)
        if until <= start:
            return Walk(until, timedelta(0), [])
        return Walk(until, calendar.timeline.count_until(start, until, merge(pauses)), [])
    assert target is not None
    return Walk(calendar.timeline.add_up(start, target, merge(pauses)), target, [])


def clock_times(
    start: datetime,
    end: datetime,
    targets: Sequence[timedelta],
    *,
    calendar: Calendar,
    pauses: Sequence[Interval] = (),
) -> tuple[timedelta, list[datetime]]:
    """What a clock asks without explanation, in one go: `business_time_between(start, end)`
    and `add_business_time(start, target)` for each target, with the same answers."""
    start = start.astimezone(UTC)
    end = end.astimezone(UTC)
    spans = merge(pauses)
    timeline = calendar.timeline
    covered = timeline.remembering(start)
    elapsed = timeline.count_until(start, end, spans, covered) if end > start else timedelta(0)
    return elapsed, [
        timeline.add_up(start, target, spans, covered) if target > timedelta(0) else start
        for target in targets
    ]


def _pause_line(start: datetime, end: datetime) -> str:
    return gettext("paused %(start)s – %(end)s") % {
        "start": format_moment(start),
        "end": format_moment(end),
    }


def _flush_closed(run: list[DayStatus], lines: list[str]) -> None:
    """One line per holiday or exception; consecutive weekend days share a line."""
    weekend: list[DayStatus] = []

    def flush_weekend() -> None:
        if not weekend:
            return
        span = format_day(weekend[0].day)
        if len(weekend) > 1:
            span = f"{span}–{format_day(weekend[-1].day)}"
        lines.append(gettext("%(days)s weekend, outside coverage") % {"days": span})
        weekend.clear()

    for status in run:
        if status.reason == "weekend":
            weekend.append(status)
            continue
        flush_weekend()
        day = format_day(status.day)
        if status.reason == "holiday" and not status.name:
            lines.append(
                gettext("%(day)s %(name)s, off")
                % {"day": day, "name": holiday_name(status.day, language=_holiday_language())}
            )
        elif status.name:
            # An admin-entered name is looked up in the catalogs too, so a common one is translated.
            name = gettext(status.name)
            lines.append(gettext("%(day)s %(name)s, off") % {"day": day, "name": name})
        else:
            lines.append(gettext("%(day)s off") % {"day": day})
    flush_weekend()
    run.clear()


def add_business_time(
    start: datetime,
    duration: timedelta,
    *,
    calendar: Calendar,
    pauses: Sequence[Interval] = (),
    explain: bool = True,
) -> tuple[datetime, list[str]]:
    """The instant at which `duration` of covered, unpaused time has passed since `start`, and
    the explanation: which days counted, which were off, which pauses were skipped."""
    result = walk(start, calendar=calendar, target=duration, pauses=pauses, explain=explain)
    assert result.reached is not None  # a target always has an end, or walk() raised
    return result.reached, result.lines


def business_time_between(
    start: datetime, end: datetime, *, calendar: Calendar, pauses: Sequence[Interval] = ()
) -> timedelta:
    """Covered, unpaused time between two instants (zero if `end` is not after `start`)."""
    return walk(start, calendar=calendar, until=end, pauses=pauses, explain=False).counted


def next_business_day_delivery(
    ordered_at: datetime, *, calendar: Calendar, cutoff: time = time(15, 0)
) -> tuple[datetime, list[str]]:
    """Next-business-day replacement: an order placed on a business day before the cut-off
    (Helsinki time) ships that day and is due by the close of the next business day; a later
    order ships a business day later (Cisco's and HPE's NBD rule)."""
    local = ordered_at.astimezone(HELSINKI)
    lines = [gettext("ordered %(moment)s") % {"moment": format_moment(ordered_at)}]
    order_day = ship_day = local.date()
    if calendar.is_business_day(order_day) and local.time() < cutoff:
        text = gettext("before the %(cutoff)s cut-off: ships %(day)s")
    else:
        text = gettext("after the %(cutoff)s cut-off or on a day off: ships %(day)s")
        ship_day = _next_business_day(order_day, calendar)
    lines.append(text % {"cutoff": cutoff.strftime("%H:%M"), "day": format_day(ship_day)})
    due_day = _next_business_day(ship_day, calendar)
    run = [
        DayStatus(
            d, False, "weekend" if d.weekday() >= 5 else "holiday", _day_off_name(d, calendar)
        )
        for d in (order_day + timedelta(days=n) for n in range(1, (due_day - order_day).days))
        if not calendar.is_business_day(d)
    ]
    _flush_closed(run, lines)
    return _local(due_day, OFFICE_CLOSES), lines


def _day_off_name(day: date, calendar: Calendar) -> str:
    exception = calendar.exceptions.get(day)
    if exception is not None:
        return exception.name
    return holiday_name(day, language=_holiday_language()) or ""


def _next_business_day(day: date, calendar: Calendar) -> date:
    for n in range(1, MAX_DAYS):
        candidate = day + timedelta(days=n)
        if calendar.is_business_day(candidate):
            return candidate
    raise ValueError(f"no business day within {MAX_DAYS} days of {day}")
