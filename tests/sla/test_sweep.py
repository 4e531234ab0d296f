"""Warnings and breach notices: from the periodic sweep, each sent once (R15: the Service
Delivery Manager hears of breaches)."""

from datetime import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from santacare.accounts.models import User
from santacare.outbox.models import OutboundMail
from santacare.sla import notifications
from santacare.sla.clocks import ticket_clocks
from santacare.sla.due_index import refresh_due
from santacare.sla.models import ClockResult, SlaNotice, SlaTarget
from santacare.sla.notifications import sweep
from santacare.sla.recompute import recompute_results
from santacare.tickets.models import Event
from tests.factories import AgentFactory, CustomerFactory, UserFactory
from tests.sla.conftest import change_status, close_as_customer, make_ticket


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def people():
    return {
        "assignee": AgentFactory(email="assignee@santacare.example"),
        "lead": UserFactory(email="lead@santacare.example", role=User.Role.TEAM_LEAD),
        "sdm": UserFactory(email="sdm@santacare.example", role=User.Role.AGENT),
    }


def open_ticket(levels, who, **fields):
    customer = CustomerFactory(service_delivery_manager=who["sdm"])
    return make_ticket(
        level=levels["basic"],
        received_at=at("2026-06-22T08:00+03:00"),
        customer=customer,
        assignee=who["assignee"],
        **fields,
    )


def test_warning_at_80_percent_goes_to_assignee_and_team_lead_once(levels):
    who = people()
    ticket = open_ticket(levels, who)
    assert sweep(now=at("2026-06-22T10:00+03:00")).warnings == 0  # 120 of 180 min
    result = sweep(now=at("2026-06-22T10:30+03:00"))  # 150 min ≥ 144 (80 % of 180)
    assert result.warnings == 1
    assert sweep(now=at("2026-06-22T10:40+03:00")).warnings == 0
    mails = OutboundMail.objects.filter(ticket=ticket, kind="sla_warning")
    assert mails.count() == 1
    assert sorted(mails.get().to) == ["assignee@santacare.example", "lead@santacare.example"]
    assert ticket.tracking_number in mails.get().subject
    assert Event.objects.filter(ticket=ticket, kind="sla_warning").count() == 1


def test_r15_breach_reaches_the_service_delivery_manager_once(levels):
    who = people()
    ticket = open_ticket(levels, who)
    first = sweep(now=at("2026-06-22T11:05+03:00"))
    second = sweep(now=at("2026-06-22T12:00+03:00"))
    assert first.breaches == 1  # the response clock; restore (960 min) is not yet near
    assert second.breaches == 0
    mail = OutboundMail.objects.get(ticket=ticket, kind="sla_breach")
    assert "sdm@santacare.example" in mail.to
    assert SlaNotice.objects.filter(ticket=ticket, kind="breach").count() == 1


def test_no_warning_while_waiting_for_the_customer(levels):
    who = people()
    ticket = open_ticket(levels, who)
    change_status(ticket, "waiting_on_customer", at=at("2026-06-22T08:30+03:00"))
    assert sweep(now=at("2026-06-23T15:00+03:00")).warnings == 0
    assert not SlaNotice.objects.filter(ticket=ticket).exists()


def test_sweep_records_results_once_the_clock_stops(levels):
    who = people()
    ticket = open_ticket(levels, who, first_response_at=at("2026-06-22T08:40+03:00"))
    assert sweep(now=at("2026-06-22T09:00+03:00")).results == 1
    result = ClockResult.objects.get(ticket=ticket, clock="response")
    assert (result.elapsed_minutes, result.target_minutes, result.met) == (40, 180, True)
    assert str(result.month) == "2026-06-01"
    assert sweep(now=at("2026-06-22T09:05+03:00")).results == 0  # nothing new


def test_a_corrected_history_rewrites_the_result(levels):
    who = people()
    ticket = open_ticket(levels, who, first_response_at=at("2026-06-22T08:40+03:00"))
    sweep(now=at("2026-06-22T09:00+03:00"))
    ticket.first_response_at = at("2026-06-22T12:00+03:00")
    ticket.save(update_fields=["first_response_at"])
    sweep(now=at("2026-06-22T13:00+03:00"))
    result = ClockResult.objects.get(ticket=ticket, clock="response")
    assert (result.elapsed_minutes, result.met) == (240, False)
    [response, _] = ticket_clocks(ticket, now=at("2026-06-22T13:00+03:00"))
    assert response.state == "missed"


def test_a_ticket_closed_unanswered_gets_both_results(levels):
    who = people()
    ticket = open_ticket(levels, who, status="closed", closed_at=at("2026-06-22T12:00+03:00"))
    assert sweep(now=at("2026-06-22T13:00+03:00")).results == 2
    results = {r.clock: r for r in ClockResult.objects.filter(ticket=ticket)}
    assert results["response"].met is False  # 4 h against 3 h
    assert results["restore"].met is True
    assert sweep(now=at("2026-06-22T13:05+03:00")).results == 0


def test_r5_a_ticket_the_customer_closed_unanswered_has_no_response_result_to_count(levels):
    who = people()
    ticket = open_ticket(levels, who)
    close_as_customer(ticket, at=at("2026-06-22T12:00+03:00"))  # after 4 h, target 3 h

    outcome = sweep(now=at("2026-06-22T13:00+03:00"))

    assert (outcome.results, outcome.breaches) == (2, 0)
    results = {r.clock: r for r in ClockResult.objects.filter(ticket=ticket)}
    assert results["response"].met is None
    assert results["restore"].met is True
    assert not SlaNotice.objects.filter(ticket=ticket).exists()
    assert sweep(now=at("2026-06-22T13:05+03:00")).results == 0
    assert recompute_results(now=at("2026-06-22T13:10+03:00")) == 2
    assert ClockResult.objects.get(ticket=ticket, clock="response").met is None


# --- The sweep computes only what can need it (issue 12) -------------------------------------


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def _open_tickets(levels, count: int, received: str) -> list:
    tickets = [make_ticket(level=levels["basic"], received_at=at(received)) for _ in range(count)]
    # What the receiver on the tickets' events does once they are committed.
    refresh_due([t.pk for t in tickets], now=at(received))
    return tickets


def test_a_sweep_reads_the_same_queries_for_3_or_33_open_tickets(levels, monkeypatch):
    monkeypatch.setattr(notifications, "REFRESH_SLICE", 2)
    moment = at("2026-06-22T09:00+03:00")  # nothing is near its warning yet
    _open_tickets(levels, 3, "2026-06-22T08:30+03:00")
    assert sweep(now=moment).checked == 3  # the first sweep fills every copy
    few = _queries(lambda: sweep(now=moment))
    _open_tickets(levels, 30, "2026-06-22T08:45+03:00")
    many = _queries(lambda: sweep(now=moment))
    assert few == many
    assert sweep(now=moment).checked == 2  # only the rolling slice


def test_the_index_finds_a_ticket_reaching_its_warning(levels, monkeypatch):
    monkeypatch.setattr(notifications, "REFRESH_SLICE", 0)
    who = people()
    ticket = open_ticket(levels, who)
    refresh_due([ticket.pk], now=at("2026-06-22T08:00+03:00"))
    _open_tickets(levels, 5, "2026-06-22T10:00+03:00")
    assert sweep(now=at("2026-06-22T10:00+03:00")).checked == 6  # the first: all
    quiet = sweep(now=at("2026-06-22T10:20+03:00"))
    assert (quiet.checked, quiet.warnings) == (0, 0)
    warned = sweep(now=at("2026-06-22T10:30+03:00"))  # 150 min ≥ 144 (80 % of 180)
    assert (warned.checked, warned.warnings) == (1, 1)
    again = sweep(now=at("2026-06-22T10:31+03:00"))
    assert (again.checked, again.warnings) == (1, 0)
    assert SlaNotice.objects.filter(ticket=ticket, kind="warning").count() == 1


def test_a_response_given_after_its_due_time_between_sweeps_is_still_a_breach(levels, monkeypatch):
    monkeypatch.setattr(notifications, "REFRESH_SLICE", 0)
    who = people()
    ticket = open_ticket(levels, who)
    refresh_due([ticket.pk], now=at("2026-06-22T08:00+03:00"))
    sweep(now=at("2026-06-22T09:00+03:00"))
    # Due 11:00; answered at 11:00:30, and the 11:00 sweep never ran.
    ticket.first_response_at = at("2026-06-22T11:00:30+03:00")
    ticket.save()
    refresh_due([ticket.pk], now=at("2026-06-22T11:00:30+03:00"))
    result = sweep(now=at("2026-06-22T11:01+03:00"))
    assert (result.breaches, result.results) == (1, 1)
    assert SlaNotice.objects.get(ticket=ticket, kind="breach").clock == "response"


def test_an_edited_target_makes_the_next_sweep_recompute_every_open_ticket(levels, monkeypatch):
    monkeypatch.setattr(notifications, "REFRESH_SLICE", 0)
    tickets = _open_tickets(levels, 4, "2026-06-22T08:00+03:00")
    moment = at("2026-06-22T09:00+03:00")
    sweep(now=moment)
    assert sweep(now=moment).checked == 0
    SlaTarget.objects.filter(service_level=levels["basic"], priority="P2").update(
        response_minutes=60
    )
    assert sweep(now=moment).checked == 4
    tickets[0].refresh_from_db()
    assert tickets[0].sla_due_at == at("2026-06-22T09:00+03:00")
    assert sweep(now=moment).checked == 4  # now due: each sweep looks for its notices


def test_a_warned_ticket_rests_until_its_due_time(levels, monkeypatch):
    monkeypatch.setattr(notifications, "REFRESH_SLICE", 0)
    who = people()
    ticket = open_ticket(levels, who, first_response_at=at("2026-06-22T08:30+03:00"))
    refresh_due([ticket.pk], now=at("2026-06-22T08:30+03:00"))
    sweep(now=at("2026-06-22T09:00+03:00"))
    # Restore: 960 office minutes, due Tue 23.6. 16:00; warned at 80 %, Tue 12:48.
    warned = sweep(now=at("2026-06-23T13:00+03:00"))
    assert (warned.checked, warned.warnings) == (1, 1)
    assert sweep(now=at("2026-06-23T13:01+03:00")).checked == 0
    breached = sweep(now=at("2026-06-23T16:01+03:00"))
    assert (breached.checked, breached.breaches) == (1, 1)
    assert sweep(now=at("2026-06-23T16:02+03:00")).checked == 0  # all told
