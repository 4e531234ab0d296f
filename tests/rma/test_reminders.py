"""Return reminders with a controlled clock: before and after the due date, each sent once."""

from datetime import timedelta

import pytest

from santacare.outbox.models import OutboundMail
from santacare.rma import services
from santacare.rma.models import ReturnReminder
from santacare.rma.reminders import send_return_reminders
from santacare.rma.tasks import remind_returns
from tests.factories import ContactFactory

from .conftest import at, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(ticket, open_rma, agent, clock, alice, sdm):
    """A return pending, due Friday 11 December 2026, for a customer with two technical
    contacts (Finnish and English), one end user and a Service Delivery Manager."""
    customer = alice.customer
    customer.service_delivery_manager = sdm
    customer.save()
    ContactFactory(customer=customer, email="bob@alice.example", language="en")
    ContactFactory(customer=customer, email="enduser@alice.example", is_technical=False)
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 12), delivered=at(1, 15))
    assert rma.return_due.isoformat() == "2026-12-11"
    return rma


def reminder_mail():
    return OutboundMail.objects.filter(kind__startswith="rma_").exclude(
        kind="rma_return_instructions"
    )


def test_r13_nothing_is_sent_while_the_due_date_is_far(pending, clock):
    clock.move_to(at(7, 9))
    assert send_return_reminders(now=at(7, 9)).sent == 0
    assert not reminder_mail().exists()


def test_r13_before_due_each_technical_contact_is_reminded_once_in_their_language(
    pending, clock, alice
):
    clock.move_to(at(8, 9))
    run = send_return_reminders(now=at(8, 9))

    assert run.sent == 2
    mails = {mail.recipient: mail for mail in reminder_mail()}
    assert set(mails) == {alice.email, "bob@alice.example"}  # not the end user, not the SDM
    assert mails[alice.email].subject.endswith(
        "Muistutus: palauta vikaantunut yksikkö valmistajalle viimeistään 11.12.2026"
    )
    assert mails["bob@alice.example"].subject.endswith(
        "Reminder: return the failed unit to the vendor by 11.12.2026"
    )
    assert all(mail.auto_submitted for mail in mails.values())

    # The sweep runs every hour; the next runs, that day and the next, send nothing again.
    assert send_return_reminders(now=at(8, 10)).sent == 0
    assert send_return_reminders(now=at(11, 15)).sent == 0
    assert reminder_mail().count() == 2


def test_r15_overdue_reminds_the_contacts_and_the_service_delivery_manager_once(
    pending, clock, alice, sdm
):
    send_return_reminders(now=at(9, 9))
    clock.move_to(at(12, 0) + timedelta(minutes=30))

    run = send_return_reminders(now=at(12, 0) + timedelta(minutes=30))

    assert run.sent == 3
    kinds = set(ReturnReminder.objects.values_list("kind", "recipient"))
    assert {
        ("overdue", alice.email),
        ("overdue", "bob@alice.example"),
        ("overdue_sdm", sdm.email),
    } <= kinds
    to_sdm = reminder_mail().get(recipient=sdm.email)
    assert to_sdm.subject.endswith(f"Overdue RMA return: {alice.customer.name}")  # SDM: English
    assert send_return_reminders(now=at(20, 9)).sent == 0


def test_r13_no_reminder_after_the_return_is_confirmed(pending, clock, alice):
    services.confirm_return(pending, by_contact=alice, courier_code="JJFI1")
    clock.move_to(at(14, 9))
    assert send_return_reminders(now=at(14, 9)).sent == 0


def test_reminders_are_rate_limited_per_run_and_the_rest_follow(pending, clock):
    clock.move_to(at(14, 9))
    first = send_return_reminders(now=at(14, 9), limit=2)
    assert (first.sent, first.deferred) == (2, True)
    second = send_return_reminders(now=at(14, 10), limit=2)
    assert (second.sent, second.deferred) == (1, False)
    assert reminder_mail().count() == 3


def test_a_manager_without_an_account_gets_nothing_and_contacts_still_do(pending, clock, alice):
    alice.customer.service_delivery_manager = None
    alice.customer.save()
    clock.move_to(at(14, 9))
    assert send_return_reminders(now=at(14, 9)).sent == 2


def test_the_hourly_task_runs_the_sweep(pending, clock):
    clock.move_to(at(8, 9))
    remind_returns.call_local()
    assert reminder_mail().count() == 2
