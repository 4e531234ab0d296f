"""The table look-up (walk without explanations) gives exactly what the day-by-day walk gives:
random starts, targets, ends and pauses over DST weeks, Finnish holidays, admin exceptions and
both calendars, plus the walk's own limit (no coverage within MAX_DAYS)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santacare.calendars.coverage import (
    ALWAYS,
    MAX_DAYS,
    OFFICE_HOURS,
    Calendar,
    DayException,
    Walk,
    walk,
)
from santacare.calendars.timeline import Timeline
from santacare.core.time import HELSINKI

EXCEPTIONS = {
    date(2026, 12, 31): DayException(False, "New Year's Eve"),
    date(2026, 1, 6): DayException(True, "Epiphany worked"),
    date(2026, 3, 28): DayException(True),  # a Saturday open, the eve of the spring DST change
    date(2027, 5, 14): DayException(False),  # the Friday after Ascension
}
CALENDARS = [
    Calendar(OFFICE_HOURS),
    Calendar(ALWAYS),
    Calendar(OFFICE_HOURS, EXCEPTIONS),
    Calendar(ALWAYS, EXCEPTIONS),
]
# Starts cluster around the hard weeks: DST changes, Easter, Midsummer, Christmas, New Year.
HARD_DAYS = [
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 4, 3, tzinfo=UTC),
    datetime(2026, 6, 19, tzinfo=UTC),
    datetime(2026, 12, 24, tzinfo=UTC),
    datetime(2026, 12, 31, tzinfo=UTC),
    datetime(2027, 3, 28, tzinfo=UTC),
]

minutes = st.integers(min_value=0, max_value=14 * 24 * 60)
seconds = st.integers(min_value=0, max_value=59)
starts = st.one_of(
    st.builds(
        lambda day, offset, s: day + timedelta(minutes=offset - 7 * 24 * 60, seconds=s),
        st.sampled_from(HARD_DAYS),
        minutes,
        seconds,
    ),
    st.builds(
        lambda offset: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=offset),
        st.integers(min_value=0, max_value=3 * 366 * 24 * 60),
    ),
)
pauses = st.lists(
    st.tuples(
        st.integers(min_value=-600, max_value=10 * 24 * 60),
        st.integers(min_value=-5, max_value=5000),
    ),
    max_size=4,
)


def _both(start: datetime, calendar: Calendar, **kwargs) -> tuple[object, object]:
    def run(explain: bool) -> Walk | str:
        try:
            return walk(start, calendar=calendar, explain=explain, **kwargs)
        except ValueError as error:
            return str(error)

    slow, fast = run(True), run(False)
    if isinstance(slow, Walk) and isinstance(fast, Walk):
        return (slow.reached, slow.counted), (fast.reached, fast.counted)
    return slow, fast


def _spans(start: datetime, spans: list[tuple[int, int]]) -> list[tuple[datetime, datetime]]:
    return [
        (start + timedelta(minutes=a), start + timedelta(minutes=a + length)) for a, length in spans
    ]


@settings(max_examples=400, deadline=None)
@given(
    calendar=st.sampled_from(CALENDARS),
    start=starts,
    target=st.integers(min_value=-1, max_value=120 * 60),
    spans=pauses,
)
def test_adding_time_by_look_up_matches_the_walk(calendar, start, target, spans):
    slow, fast = _both(
        start, calendar, target=timedelta(minutes=target), pauses=_spans(start, spans)
    )
    assert fast == slow


@settings(max_examples=400, deadline=None)
@given(
    calendar=st.sampled_from(CALENDARS),
    start=starts,
    length=st.integers(min_value=-60, max_value=30 * 24 * 60),
    spans=pauses,
)
def test_measuring_time_by_look_up_matches_the_walk(calendar, start, length, spans):
    end = start + timedelta(minutes=length, seconds=7)
    slow, fast = _both(start, calendar, until=end, pauses=_spans(start, spans))
    assert fast == slow


@pytest.mark.parametrize("calendar", CALENDARS[:2])
def test_the_look_up_gives_up_where_the_walk_does(calendar):
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    endless = [(start, start + timedelta(days=MAX_DAYS + 5))]
    for kwargs in (
        {"target": timedelta(minutes=1), "pauses": endless},
        {"until": start + timedelta(days=MAX_DAYS + 1)},
        {"until": start + timedelta(days=MAX_DAYS - 1)},
    ):
        slow, fast = _both(start, calendar, **kwargs)
        assert fast == slow


def test_the_look_up_reaches_the_walks_last_day_exactly():
    # The whole of MAX_DAYS of 24 × 7 from a local midnight: both end at the same midnight.
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    last = datetime.combine(date(2026, 3, 29) + timedelta(days=MAX_DAYS), time(0), HELSINKI)
    calendar = Calendar(ALWAYS)
    total = walk(start, calendar=calendar, until=last).counted
    for target in (total, total + timedelta(microseconds=1)):
        slow, fast = _both(start, calendar, target=target)
        assert fast == slow


def test_equal_calendars_share_one_laid_out_table():
    # R14: a page or sweep loading the calendar again reuses the table; an edited calendar
    # (another exception) gets its own, so it never reads the old one's coverage.
    assert Calendar(OFFICE_HOURS, dict(EXCEPTIONS)).timeline is CALENDARS[2].timeline
    edited = {**EXCEPTIONS, date(2026, 12, 30): DayException(False)}
    assert Calendar(OFFICE_HOURS, edited).timeline is not CALENDARS[2].timeline
    assert Calendar(ALWAYS, dict(EXCEPTIONS)).timeline is not CALENDARS[2].timeline


def test_covered_times_stay_valid_when_earlier_days_are_laid_out():
    # A walk in one thread keeps the covered times it read while another lays out earlier
    # years, twice over (the second time in front of days already laid out in front).
    calendar = Calendar(OFFICE_HOURS, EXCEPTIONS)
    timeline = Timeline(calendar.window)
    moments = [datetime(year, 6, 24, 9, 0, tzinfo=UTC) for year in (2027, 2026, 2024)]
    handed_out = [timeline.covered(moment) for moment in moments]
    for earlier, later, covered_earlier, covered_later in zip(
        moments[1:], moments, handed_out[1:], handed_out, strict=False
    ):
        assert timeline.covered(later) == covered_later
        counted = walk(earlier, calendar=calendar, until=later).counted
        assert covered_later - covered_earlier == counted
