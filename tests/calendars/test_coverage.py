"""Calendar arithmetic (R14): hand-checked tables around DST, holidays and pauses, and
properties that hold for any start and any target."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from santacare.calendars.coverage import (
    ALWAYS,
    OFFICE_HOURS,
    Calendar,
    DayException,
    add_business_time,
    business_time_between,
    holiday_name,
    next_business_day_delivery,
)

OFFICE = Calendar(OFFICE_HOURS)
ALWAYS_ON = Calendar(ALWAYS)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # Midsummer 2026: Fri 19.6. is Midsummer Eve (off), Sat 20.6. Midsummer Day.
        ("2026-06-18T15:00+03:00", 180, "2026-06-22T10:00+03:00"),
        # Spring DST 29.3.2026: Friday in EET (+02), Monday in EEST (+03), still 09:00 local.
        ("2026-03-27T15:00+02:00", 120, "2026-03-30T09:00+03:00"),
        # Autumn DST 25.10.2026: back to EET over the weekend.
        ("2026-10-23T15:00+03:00", 120, "2026-10-26T09:00+02:00"),
        # New Year: Dec 31 is a business day unless an admin makes it one off (next table).
        ("2026-12-30T15:00+02:00", 180, "2026-12-31T10:00+02:00"),
        ("2026-12-31T15:00+02:00", 120, "2027-01-04T09:00+02:00"),
        # Easter 2026: Good Friday 3.4., Easter Monday 6.4.
        ("2026-04-02T15:00+03:00", 180, "2026-04-07T10:00+03:00"),
        # Independence Day 6.12.2027 is a Monday.
        ("2027-12-03T15:00+02:00", 180, "2027-12-07T10:00+02:00"),
        # Christmas 2026: Christmas Eve Thu, Christmas Day Fri, St Stephen's Day Sat.
        ("2026-12-23T15:00+02:00", 180, "2026-12-28T10:00+02:00"),
        # Opened outside coverage: the clock starts at the next opening.
        ("2026-06-13T11:00+03:00", 60, "2026-06-15T09:00+03:00"),
        ("2026-06-15T16:00+03:00", 60, "2026-06-16T09:00+03:00"),
        ("2026-06-15T07:00+03:00", 480, "2026-06-15T16:00+03:00"),
    ],
)
def test_r14_office_hours_due_times(start, minutes, due):
    reached, _ = add_business_time(at(start), timedelta(minutes=minutes), calendar=OFFICE)
    assert reached == at(due)
    counted = business_time_between(at(start), at(due), calendar=OFFICE)
    assert counted == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # Spring DST: 03:00–04:00 local does not exist, so 4 h from 01:30 ends at 06:30.
        ("2026-03-29T01:30+02:00", 240, "2026-03-29T06:30+03:00"),
        # Autumn DST: 03:00–04:00 local happens twice, so 4 h from 01:30 ends at 04:30.
        ("2026-10-25T01:30+03:00", 240, "2026-10-25T04:30+02:00"),
        # A whole day across the change is 24 real hours, not a wall-clock day.
        ("2026-03-28T12:00+02:00", 1440, "2026-03-29T13:00+03:00"),
        # Holidays count under 24 × 7.
        ("2026-12-24T10:00+02:00", 60, "2026-12-24T11:00+02:00"),
    ],
)
def test_r14_always_on_due_times_count_real_time(start, minutes, due):
    reached, _ = add_business_time(at(start), timedelta(minutes=minutes), calendar=ALWAYS_ON)
    assert reached == at(due)


def test_r14_an_admin_exception_makes_new_years_eve_a_day_off():
    calendar = Calendar(OFFICE_HOURS, {datetime(2026, 12, 31).date(): DayException(False, "")})
    with translation.override("en"):
        due, lines = add_business_time(
            at("2026-12-30T15:00+02:00"), timedelta(hours=3), calendar=calendar
        )
    assert due == at("2027-01-04T10:00+02:00")
    assert lines == [
        "1 h counted Wed 30.12.",
        "Thu 31.12. off",
        "Fri 1.1. New Year's Day, off",
        "Sat 2.1.–Sun 3.1. weekend, outside coverage",
        "2 h counted Mon 4.1.",
    ]


def test_r14_an_exception_can_open_a_holiday():
    calendar = Calendar(OFFICE_HOURS, {datetime(2026, 6, 19).date(): DayException(True, "")})
    due, _ = add_business_time(at("2026-06-18T15:00+03:00"), timedelta(hours=3), calendar=calendar)
    assert due == at("2026-06-19T10:00+03:00")


def test_r14_explanations_in_finnish():
    with translation.override("fi"):
        _, lines = add_business_time(
            at("2026-06-18T15:00+03:00"), timedelta(hours=3), calendar=OFFICE
        )
    assert "pe 19.6. Juhannusaatto, vapaa" in lines


def test_pauses_are_skipped_and_explained():
    pauses = [(at("2026-06-22T09:00+03:00"), at("2026-06-23T09:00+03:00"))]
    with translation.override("en"):
        due, lines = add_business_time(
            at("2026-06-22T08:00+03:00"), timedelta(hours=3), calendar=OFFICE, pauses=pauses
        )
    assert due == at("2026-06-23T11:00+03:00")
    assert lines == [
        "paused Mon 22.6. 09:00 – Tue 23.6. 09:00",
        "1 h counted Mon 22.6.",
        "2 h counted Tue 23.6.",
    ]
    counted = business_time_between(
        at("2026-06-22T08:00+03:00"), due, calendar=OFFICE, pauses=pauses
    )
    assert counted == timedelta(hours=3)


def test_pause_reaching_past_the_due_time_keeps_the_clock_still():
    pauses = [(at("2026-06-22T08:30+03:00"), at("2026-06-29T08:00+03:00"))]
    due, _ = add_business_time(
        at("2026-06-22T08:00+03:00"), timedelta(hours=1), calendar=OFFICE, pauses=pauses
    )
    assert due == at("2026-06-29T08:30+03:00")


@pytest.mark.parametrize(
    ("ordered", "due"),
    [
        ("2026-06-18T14:59+03:00", "2026-06-22T16:00+03:00"),  # ships Thu, Midsummer Eve off
        ("2026-06-18T15:00+03:00", "2026-06-23T16:00+03:00"),  # after the cut-off: ships Mon
        ("2026-06-20T10:00+03:00", "2026-06-23T16:00+03:00"),  # Saturday: ships Mon
        ("2026-03-27T10:00+02:00", "2026-03-30T16:00+03:00"),  # across the spring DST change
    ],
)
def test_r14_next_business_day_replacement_with_cutoff(ordered, due):
    reached, _ = next_business_day_delivery(at(ordered), calendar=OFFICE, cutoff=time(15, 0))
    assert reached == at(due)


def test_r14_holidays_include_midsummer_and_christmas_eve():
    assert holiday_name(datetime(2026, 6, 19).date()) == "Midsummer Eve"
    assert holiday_name(datetime(2026, 12, 24).date()) == "Christmas Eve"
    assert holiday_name(datetime(2026, 12, 31).date()) is None
    assert not OFFICE.is_covered(at("2026-06-19T10:00+03:00"))
    assert OFFICE.is_covered(at("2026-06-18T15:59+03:00"))
    assert not OFFICE.is_covered(at("2026-06-18T16:00+03:00"))


# Properties. Instants are whole minutes in 2025–2027, across both DST changes of each year.
BASE = datetime(2025, 1, 1, tzinfo=UTC)
instants = st.integers(0, 3 * 365 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))
durations = st.integers(0, 6000).map(lambda m: timedelta(minutes=m))
both = st.sampled_from([OFFICE, ALWAYS_ON])


@st.composite
def pause_lists(draw, start):
    spans = []
    cursor = start
    for _ in range(draw(st.integers(0, 3))):
        cursor += timedelta(minutes=draw(st.integers(0, 3000)))
        length = timedelta(minutes=draw(st.integers(1, 3000)))
        spans.append((cursor, cursor + length))
        cursor += length
    return spans


@settings(max_examples=150, deadline=None)
@given(start=instants, a=durations, b=durations, calendar=both)
def test_adding_more_time_never_ends_earlier(start, a, b, calendar):
    first, _ = add_business_time(start, a, calendar=calendar)
    second, _ = add_business_time(start, a + b, calendar=calendar)
    assert first <= second


@settings(max_examples=150, deadline=None)
@given(start=instants, later=durations, duration=durations, calendar=both)
def test_a_later_start_never_ends_earlier(start, later, duration, calendar):
    first, _ = add_business_time(start, duration, calendar=calendar)
    second, _ = add_business_time(start + later, duration, calendar=calendar)
    assert first <= second


@settings(max_examples=150, deadline=None)
@given(start=instants, duration=durations.filter(bool), calendar=both)
def test_a_due_time_never_lands_outside_coverage(start, duration, calendar):
    due, _ = add_business_time(start, duration, calendar=calendar)
    assert calendar.is_covered(due - timedelta(microseconds=1))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), start=instants, duration=durations, calendar=both)
def test_adding_and_counting_agree(data, start, duration, calendar):
    pauses = data.draw(pause_lists(start))
    due, _ = add_business_time(start, duration, calendar=calendar, pauses=pauses)
    assert business_time_between(start, due, calendar=calendar, pauses=pauses) == duration


@settings(max_examples=100, deadline=None)
@given(start=instants, span=durations, calendar=both)
def test_counted_time_never_exceeds_real_time(start, span, calendar):
    counted = business_time_between(start, start + span, calendar=calendar)
    assert timedelta(0) <= counted <= span
    if calendar is ALWAYS_ON:
        assert counted == span
