"""What the desk and the portal render: the clocks snippet, the at-risk list, the replacement
clock that the RMA feeds."""

from datetime import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from santacare.calendars.models import CalendarException
from santacare.sla.clocks import ClockState, ticket_clocks
from santacare.sla.queries import tickets_at_risk
from tests.sla.conftest import clock_rows, close_as_customer, make_ticket


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_snippet_shows_due_time_and_escapes_admin_text(levels):
    CalendarException.objects.create(
        calendar="office_hours", day=at("2026-06-23T12:00+03:00").date(), name="<script>x</script>"
    )
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T15:00+03:00"))
    clocks = ticket_clocks(ticket, now=at("2026-06-22T15:30+03:00"))
    html = render_to_string("sla/_clocks.html", {"clocks": clocks})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Wed 24.6." in html  # the response clock skipped the exception day
    assert 'datetime="2026-06-24T' in html


def test_at_risk_lists_breached_first_and_skips_closed(levels):
    late = make_ticket(
        level=levels["advanced"], received_at=at("2026-06-22T08:00+03:00"), priority="P1"
    )
    calm = make_ticket(
        level=levels["basic"], received_at=at("2026-06-22T08:30+03:00"), priority="P4"
    )
    make_ticket(
        level=levels["basic"],
        received_at=at("2026-06-22T08:00+03:00"),
        status="closed",
        closed_at=at("2026-06-22T08:10+03:00"),
    )
    risks = tickets_at_risk(now=at("2026-06-22T09:00+03:00"))
    assert [risk.ticket for risk in risks] == [late, calm]
    assert risks[0].clock.state == ClockState.BREACHED
    assert tickets_at_risk(now=at("2026-06-22T09:00+03:00"), within=None, limit=1)[0].ticket == late


def test_replacement_clock_from_the_rma_instants(levels):
    ticket = make_ticket(
        level=levels["basic"], received_at=at("2026-06-18T10:00+03:00"), hardware_fault=True
    )
    clocks = ticket_clocks(
        ticket,
        now=at("2026-06-24T10:00+03:00"),
        replacement=(at("2026-06-18T14:00+03:00"), at("2026-06-22T12:00+03:00")),
    )
    replacement = {clock.name: clock for clock in clocks}["replacement"]
    assert replacement.due == at("2026-06-22T16:00+03:00")  # ships Thu, Midsummer Eve off
    assert replacement.state == ClockState.MET
    assert replacement.explanation[-1] == "delivered Mon 22.6. 12:00: met"


@pytest.mark.parametrize(
    ("language", "response", "words"),
    [("en", "Response", "not applicable"), ("fi", "Vasteaika", "ei sovellu")],
)
def test_r5_snippet_shows_a_customer_closed_response_as_not_applicable(
    levels, language, response, words
):
    ticket = make_ticket(level=levels["basic"], received_at=at("2026-06-22T08:00+03:00"))
    close_as_customer(ticket, at=at("2026-06-22T09:00+03:00"))
    with translation.override(language):
        clocks = ticket_clocks(ticket, now=at("2026-06-22T10:00+03:00"))
        html = render_to_string("sla/_clocks.html", {"clocks": clocks})

    state, text = clock_rows(html)[response]
    assert state == "not_applicable"
    assert text.startswith(words)
