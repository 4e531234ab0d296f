"""Clocks derived from a ticket's history (R1, R5, R14): pauses, priority changes, met/missed."""

from datetime import datetime, timedelta

import pytest

from santacare.sla.clocks import ClockState, ticket_clocks
from tests.sla.conftest import change_priority, change_status, close_as_customer, make_ticket


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def by_name(clocks):
    return {clock.name: clock for clock in clocks}


def test_r14_response_clock_skips_midsummer_and_weekend(levels):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-18T15:00+03:00"))
    clocks = by_name(ticket_clocks(ticket, now=at("2026-06-18T15:30+03:00")))
    response = clocks["response"]
    assert response.target_minutes == 180
    assert response.due == at("2026-06-22T10:00+03:00")
    assert response.state == ClockState.RUNNING
    assert response.remaining == timedelta(minutes=150)
    assert response.explanation == [
        "opened Thu 18.6. 15:00",
        "1 h counted Thu 18.6.",
        "Fri 19.6. Midsummer Eve, off",
        "Sat 20.6.–Sun 21.6. weekend, outside coverage",
        "2 h counted Mon 22.6.",
        "due Mon 22.6. 10:00",
    ]


def test_r5_waiting_on_customer_pauses_and_resumes(levels):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"))
    change_status(ticket, "waiting_on_customer", at=at("2026-06-22T09:00+03:00"))
    paused = by_name(ticket_clocks(ticket, now=at("2026-06-22T12:00+03:00")))["restore"]
    assert paused.state == ClockState.PAUSED
    assert paused.paused
    assert paused.elapsed == timedelta(hours=1)
    change_status(ticket, "in_progress", at=at("2026-06-22T13:00+03:00"))
    restore = by_name(ticket_clocks(ticket, now=at("2026-06-22T14:00+03:00")))["restore"]
    # 960 min = 2 office days; 4 hours of Monday were paused, so due moves to Wed 12:00.
    assert restore.due == at("2026-06-24T12:00+03:00")
    assert restore.elapsed == timedelta(hours=2)
    assert restore.state == ClockState.RUNNING
    assert any("paused Mon 22.6. 09:00 – Mon 22.6. 13:00" in line for line in restore.explanation)


def test_response_met_and_restore_missed_are_recorded_with_actual_times(levels):
    ticket = make_ticket(
        level=levels["basic"],
        received_at=at("2026-06-22T08:00+03:00"),
        first_response_at=at("2026-06-22T08:40+03:00"),
        resolved_at=at("2026-06-25T10:00+03:00"),
        status="resolved",
    )
    clocks = by_name(ticket_clocks(ticket, now=at("2026-06-26T10:00+03:00")))
    assert clocks["response"].state == ClockState.MET
    assert clocks["response"].stopped_at == at("2026-06-22T08:40+03:00")
    assert clocks["restore"].state == ClockState.MISSED
    assert clocks["restore"].elapsed == timedelta(hours=26)


def test_priority_raised_recomputes_from_the_start(levels):
    ticket = make_ticket(
        level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"), priority="P3"
    )
    change_priority(ticket, "P1", at=at("2026-06-22T08:30+03:00"))
    response = by_name(ticket_clocks(ticket, now=at("2026-06-22T08:45+03:00")))["response"]
    assert response.target_minutes == 60
    assert response.due == at("2026-06-22T09:00+03:00")


def test_breached_when_target_passed_without_reply(levels):
    ticket = make_ticket(
        level=levels["advanced"], received_at=at("2026-06-20T02:00+03:00"), priority="P1"
    )
    response = by_name(ticket_clocks(ticket, now=at("2026-06-20T02:45+03:00")))["response"]
    assert response.due == at("2026-06-20T02:30+03:00")
    assert response.state == ClockState.BREACHED
    assert response.remaining == timedelta(minutes=-15)


def test_ticket_without_service_level_has_no_clocks(levels):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"))
    ticket.service_level = None
    assert ticket_clocks(ticket, now=at("2026-06-22T09:00+03:00")) == []


def test_a_reopened_ticket_goes_on_from_where_its_restore_clock_stopped(levels):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"))
    change_status(ticket, "resolved", at=at("2026-06-22T10:00+03:00"))
    stopped = by_name(ticket_clocks(ticket, now=at("2026-06-23T12:00+03:00")))["restore"]
    assert stopped.state == ClockState.MET
    assert stopped.elapsed == timedelta(hours=2)
    change_status(ticket, "in_progress", at=at("2026-06-24T08:00+03:00"))
    ticket.refresh_from_db()
    restore = by_name(ticket_clocks(ticket, now=at("2026-06-24T09:00+03:00")))["restore"]
    assert restore.state == ClockState.RUNNING
    assert restore.elapsed == timedelta(hours=3)  # 2 h before, 1 h since reopening


@pytest.mark.parametrize("done", ["closed", "resolved"])
def test_r5_customer_closing_before_any_response_leaves_no_response_to_measure(levels, done):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"))
    close_as_customer(ticket, done, at=at("2026-06-22T12:00+03:00"))

    clocks = by_name(ticket_clocks(ticket, now=at("2026-06-22T13:00+03:00")))

    response = clocks["response"]
    assert response.state == ClockState.NOT_APPLICABLE
    assert response.state_label == "not applicable"
    assert not response.is_open
    assert response.stopped_at == at("2026-06-22T12:00+03:00")
    assert response.explanation[-1] == (
        "closed by the customer Mon 22.6. 12:00 before any response: not applicable"
    )
    assert clocks["restore"].state == ClockState.MET  # 4 h of 16 h: the customer is content


def test_r5_agent_closing_an_unanswered_ticket_still_measures_the_response(levels):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"))
    change_status(ticket, "closed", at=at("2026-06-22T12:00+03:00"))

    response = by_name(ticket_clocks(ticket, now=at("2026-06-22T13:00+03:00")))["response"]

    assert response.state == ClockState.MISSED  # 4 h against 3 h


def test_r5_customer_closing_what_the_agent_resolved_keeps_the_measured_response(levels):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"))
    change_status(ticket, "resolved", at=at("2026-06-22T09:00+03:00"))
    close_as_customer(ticket, at=at("2026-06-22T12:00+03:00"))

    response = by_name(ticket_clocks(ticket, now=at("2026-06-22T13:00+03:00")))["response"]

    assert response.state == ClockState.MET
    assert response.stopped_at == at("2026-06-22T09:00+03:00")


def test_r5_reopened_and_answered_after_a_customer_close_is_measured_again(levels):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"))
    close_as_customer(ticket, at=at("2026-06-22T09:00+03:00"))
    change_status(ticket, "in_progress", at=at("2026-06-22T10:00+03:00"))
    ticket.first_response_at = at("2026-06-22T10:30+03:00")

    response = by_name(ticket_clocks(ticket, now=at("2026-06-22T11:00+03:00")))["response"]

    assert response.state == ClockState.MET
    assert response.elapsed == timedelta(minutes=90)  # the closed hour is not counted
