"""Covered time by table look-up: the fast path of `coverage.walk` when no explanation is asked.

A calendar's open windows (UTC instants) are laid out once in a sorted table with the covered
time before each window, so "covered time up to t" is one binary search and "when has this much
been covered" another, however many closed days lie between. The table is built lazily by the
year, from the same `Calendar.window` the step-by-step walk reads, so both agree by construction;
tests/calendars/test_timeline.py compares them over random starts, pauses, DST and holidays.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from threading import Lock
from typing import NamedTuple

from santacare.core.time import HELSINKI

# Bounds every walk through the calendar: no target or clock spans more than this.
MAX_DAYS = 3 * 366
# Certainly before the end of a walk's last day (MAX_DAYS days from the start's local day, give
# or take a DST hour), known without converting the start to local time.
SURELY_WITHIN = timedelta(days=MAX_DAYS - 2)

Window = tuple[datetime, datetime] | None
Covered = Callable[[datetime], timedelta]
Interval = tuple[datetime, datetime]
ZERO = timedelta(0)
# Grown by this many days at a time: a clock's walk rarely needs more than a few weeks.
CHUNK_DAYS = 400
# Calendars whose tables the process keeps: the two kinds, and a few edits of their exceptions.
MAX_SHARED = 8


class _Table(NamedTuple):
    first: date  # first day laid out
    last: date  # first day not laid out
    begin: datetime  # local midnight starting `first`
    end: datetime  # local midnight starting `last`
    opens: list[datetime]
    closes: list[datetime]
    # Covered time to opens[i] and to closes[i], counted from the origin: the beginning of the
    # first table laid out (earlier days count back from it).
    before: list[timedelta]
    after: list[timedelta]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=HELSINKI).astimezone(UTC)


class Timeline:
    """The open windows of one calendar as a cumulative table, shared by the walks of the whole
    process over the same calendar (`shared_timeline`). A new table replaces the old one whole, so a
    reader always sees a consistent one; and a covered time once handed out stays valid in
    every later table (days are added before and after, the origin never moves), so walks in
    two threads can grow the one table under each other."""

    def __init__(self, window: Callable[[date], Window]) -> None:
        self._window = window
        self._table: _Table | None = None

    def _lay_out(self, first: date, last: date) -> None:
        table = self._table
        if table is not None and table.first <= first and last <= table.last:
            return
        if table is None:
            begin = date(first.year, 1, 1)
            table = _Table(begin, begin, _midnight(begin), _midnight(begin), [], [], [], [])
        begin, end = table.first, table.last
        opens, closes, before, after = table.opens, table.closes, table.before, table.after
        if first < begin:
            # Earlier days go in front, counted back from the origin (negative covered times).
            early = date(first.year, 1, 1)
            more = self._days(early, begin, ZERO)
            # So that the new days end at what was covered at the old beginning.
            shift = (before[0] if before else ZERO) - (more[3][-1] if more[3] else ZERO)
            opens, closes = more[0] + opens, more[1] + closes
            before = [value + shift for value in more[2]] + before
            after = [value + shift for value in more[3]] + after
            begin = early
        if last > end:
            later = max(last, end + timedelta(days=CHUNK_DAYS))
            more = self._days(end, later, after[-1] if after else ZERO)
            opens, closes = opens + more[0], closes + more[1]
            before, after = before + more[2], after + more[3]
            end = later
        self._table = _Table(
            begin, end, _midnight(begin), _midnight(end), opens, closes, before, after
        )

    def _days(
        self, first: date, last: date, total: timedelta
    ) -> tuple[list[datetime], list[datetime], list[timedelta], list[timedelta]]:
        """The windows of the days from `first` up to `last`, counting on from `total`."""
        opens: list[datetime] = []
        closes: list[datetime] = []
        before: list[timedelta] = []
        after: list[timedelta] = []
        day = first
        while day < last:
            window = self._window(day)
            if window is not None:
                opens.append(window[0])
                closes.append(window[1])
                before.append(total)
                total += window[1] - window[0]
                after.append(total)
            day += timedelta(days=1)
        return opens, closes, before, after

    def _covering(self, moment: datetime) -> _Table:
        table = self._table
        if table is None or not table.begin <= moment < table.end:
            day = moment.astimezone(HELSINKI).date()
            self._lay_out(day, day + timedelta(days=2))
            table = self._table
            assert table is not None
        return table

    def covered(self, moment: datetime) -> timedelta:
        """Covered time from the origin to `moment` (within the table)."""
        table = self._table
        if table is None or not table.begin <= moment < table.end:
            table = self._covering(moment)
        i = bisect_right(table.opens, moment) - 1
        if i < 0:
            # Nothing open between the table's beginning and `moment`.
            return table.before[0] if table.before else ZERO
        closes = table.closes[i]
        # Conditionals rather than min(): this line runs several times for every clock.
        return table.before[i] + ((moment if moment < closes else closes) - table.opens[i])

    def reach(self, amount: timedelta, *, ceiling: datetime) -> datetime | None:
        """The first instant by which `amount` (counted from the origin, more than covered at
        the table's beginning) has been covered, or None if not by `ceiling`."""
        while True:
            table = self._table
            assert table is not None
            i = bisect_left(table.after, amount)
            if i < len(table.after):
                reached = table.opens[i] + (amount - table.before[i])
                return reached if reached <= ceiling else None
            if table.end >= ceiling:
                return None
            self._lay_out(table.last, table.last + timedelta(days=1))

    def remembering(self, start: datetime) -> Covered:
        """`covered` remembering its answers, for the few look-ups of one clock from `start`
        (due, warning and elapsed share the start and the pauses' ends)."""
        self._covering(start)
        known: dict[datetime, timedelta] = {}

        def covered(moment: datetime) -> timedelta:
            value = known.get(moment)
            if value is None:
                value = known[moment] = self.covered(moment)
            return value

        return covered

    def count(
        self,
        start: datetime,
        end: datetime,
        pauses: Sequence[Interval],
        covered: Covered | None = None,
    ) -> timedelta:
        """Covered, unpaused time between `start` and `end` (start < end); `pauses` are
        disjoint and sorted."""
        covered = covered or self.remembering(start)
        counted = covered(end) - covered(start)
        for a, b in pauses:
            if a < start:
                a = start
            if b > end:
                b = end
            if a < b:
                counted -= covered(b) - covered(a)
        return counted

    def add(
        self,
        start: datetime,
        target: timedelta,
        pauses: Sequence[Interval],
        ceiling: datetime,
        covered: Covered | None = None,
    ) -> datetime | None:
        """The instant at which `target` (> 0) of covered, unpaused time has passed since
        `start`, or None if not by `ceiling`. `pauses` are disjoint and sorted."""
        covered = covered or self.remembering(start)
        position = start
        counted = ZERO
        for a, b in pauses:
            if b <= position:
                continue
            if a > position:
                if a > ceiling:
                    a = ceiling
                base = covered(position)
                stretch = covered(a) - base
                if counted + stretch >= target:
                    return self.reach(base + (target - counted), ceiling=ceiling)
                counted += stretch
            position = b
            if position >= ceiling:
                return None
        return self.reach(covered(position) + (target - counted), ceiling=ceiling)

    def count_until(
        self,
        start: datetime,
        until: datetime,
        spans: list[Interval],
        covered: Covered | None = None,
    ) -> timedelta:
        """`count`, raising where the day-by-day walk gives up (beyond its MAX_DAYS days)."""
        if until - start > SURELY_WITHIN and until > _last_moment(start):
            raise ValueError(f"no coverage within {MAX_DAYS} days of {start.isoformat()}")
        return self.count(start, until, spans, covered)

    def add_up(
        self,
        start: datetime,
        target: timedelta,
        spans: list[Interval],
        covered: Covered | None = None,
    ) -> datetime:
        """`add`, raising where the day-by-day walk gives up (beyond its MAX_DAYS days)."""
        covered = covered or self.remembering(start)
        reached = self.add(start, target, spans, start + SURELY_WITHIN, covered)
        if reached is None:
            reached = self.add(start, target, spans, _last_moment(start), covered)
        if reached is None:
            raise ValueError(f"no coverage within {MAX_DAYS} days of {start.isoformat()}")
        return reached


_SHARED: dict[Hashable, Timeline] = {}
_SHARED_LOCK = Lock()


def shared_timeline(key: Hashable, window: Callable[[date], Window]) -> Timeline:
    """The process's table for the calendar that `key` names (its kind and exceptions): a page
    or sweep that loads the calendar again finds it laid out, and an edited calendar has
    another key, so it never reads a stale one."""
    with _SHARED_LOCK:
        timeline = _SHARED.get(key)
        if timeline is None:
            if len(_SHARED) >= MAX_SHARED:
                del _SHARED[next(iter(_SHARED))]  # the oldest: calendars edited since
            timeline = _SHARED[key] = Timeline(window)
        return timeline


def _last_moment(start: datetime) -> datetime:
    """The end of the last day the day-by-day walk looks at."""
    return _midnight(start.astimezone(HELSINKI).date() + timedelta(days=MAX_DAYS))


def merge(pauses: Sequence[Interval]) -> list[Interval]:
    """Pauses as disjoint, sorted UTC intervals (an overlap is paused once)."""
    spans = sorted((_utc(a), _utc(b)) for a, b in pauses if b > a)
    merged: list[Interval] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _utc(moment: datetime) -> datetime:
    # The database hands out UTC already; converting anyway costs as much as a look-up.
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)
