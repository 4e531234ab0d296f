"""R14: one office-hours calendar, with the admin's exceptions, for R8, RMA dates and SLA clocks."""

from datetime import date, datetime

import pytest
from django.utils import translation

from santacare.calendars.models import CalendarException, Coverage
from santacare.calendars.services import is_business_day, is_office_hours, office_hours_text
from santacare.rma.services import return_due_date
from santacare.sla.clocks import ClockState, ticket_clocks
from santacare.sla.services import seed_default_targets
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from santacare.tickets.outcomes import Outcome, Reason
from tests.factories import AdvancedServiceLevelFactory, ContractFactory, DeviceFactory

pytestmark = pytest.mark.django_db

# Tuesday 8 December 2026: an ordinary Finnish working day.
TUESDAY = date(2026, 12, 8)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def shut(day: date, name: str = "Inventory day") -> CalendarException:
    return CalendarException.objects.create(calendar=Coverage.OFFICE_HOURS, day=day, name=name)


@pytest.fixture
def advanced_device(alice):
    contract = ContractFactory(customer=alice.customer, service_level=AdvancedServiceLevelFactory())
    return DeviceFactory(customer=alice.customer, serial_number="JN11AB2C3DEF", contract=contract)


def portal_request(contact, **fields) -> TicketRequest:
    return TicketRequest(
        channel=Channel.PORTAL,
        contact=contact,
        subject="Reititin ei vastaa",
        description="BGP-istunnot katkeilevat.",
        serial_number="JN11AB2C3DEF",
        **fields,
    )


def test_r14_an_admins_day_off_is_outside_office_hours_and_no_business_day():
    assert is_office_hours(at("2026-12-08T10:00+02:00"))
    assert is_business_day(TUESDAY)

    shut(TUESDAY)

    assert not is_office_hours(at("2026-12-08T10:00+02:00"))
    assert not is_business_day(TUESDAY)


def test_r14_a_holiday_the_admin_opened_is_office_hours():
    epiphany = date(2027, 1, 6)
    assert not is_office_hours(at("2027-01-06T10:00+02:00"))

    CalendarException.objects.create(calendar=Coverage.OFFICE_HOURS, day=epiphany, is_open=True)

    assert is_office_hours(at("2027-01-06T10:00+02:00"))
    assert not is_office_hours(at("2027-01-06T16:00+02:00"))  # open means office hours, not 24 h
    assert is_business_day(epiphany)


def test_r14_new_years_eve_is_a_working_day_and_is_not_seeded_as_a_day_off():
    seed_default_targets()

    assert not CalendarException.objects.exists()
    assert is_office_hours(at("2026-12-31T10:00+02:00"))
    # The de-facto days off beside the public holidays stay off.
    assert not is_office_hours(at("2026-12-24T10:00+02:00"))
    assert not is_office_hours(at("2027-06-25T10:00+03:00"))  # Midsummer Eve


def test_r8_advanced_request_on_an_admins_day_off_must_be_phoned_in(alice, advanced_device):
    shut(TUESDAY)

    result = open_ticket(portal_request(alice, received_at=at("2026-12-08T10:00+02:00")))

    assert (result.outcome, result.reason) == (Outcome.MUST_CALL, Reason.OUTSIDE_OFFICE_HOURS)


def test_r8_advanced_request_on_an_opened_holiday_needs_no_call(alice, advanced_device):
    CalendarException.objects.create(
        calendar=Coverage.OFFICE_HOURS, day=date(2027, 1, 6), is_open=True
    )

    result = open_ticket(portal_request(alice, received_at=at("2027-01-06T10:00+02:00")))

    assert result.outcome == Outcome.CREATED


def test_r13_rma_return_due_date_skips_an_admins_day_off():
    delivered = at("2026-12-01T12:00+02:00")
    assert return_due_date(delivered, window_days=7) == TUESDAY

    shut(TUESDAY)

    assert return_due_date(delivered, window_days=7) == date(2026, 12, 9)


def test_r14_sla_clock_honours_an_admins_day_off(alice):
    shut(TUESDAY)
    basic_device = DeviceFactory(customer=alice.customer, serial_number="FOC2233X0AB")
    seed_default_targets()
    ticket = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=alice,
            subject="Kytkin",
            description="Portti ei nouse.",
            serial_number=basic_device.serial_number,
            received_at=at("2026-12-08T10:00+02:00"),
        )
    ).ticket

    response = {c.name: c for c in ticket_clocks(ticket, now=at("2026-12-08T15:00+02:00"))}
    # The day off counts nothing: five hours later, nothing of the response target is used.
    assert response["response"].state == ClockState.RUNNING
    assert response["response"].elapsed.total_seconds() == 0


@pytest.mark.parametrize(("language", "text"), [("fi", "ma–pe 8–16"), ("en", "Mon–Fri 8–16")])
def test_r14_office_hours_text_comes_from_the_calendar(language, text):
    with translation.override(language):
        assert office_hours_text() == text


def test_r8_must_call_explanation_states_the_calendars_office_hours(alice, advanced_device):
    result = open_ticket(portal_request(alice, received_at=at("2026-12-08T20:00+02:00")))

    with translation.override("fi"):
        assert "ma–pe 8–16" in result.explanation()
    with translation.override("en"):
        assert "Mon–Fri 8–16" in result.explanation()
