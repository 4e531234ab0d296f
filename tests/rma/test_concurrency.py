"""Parallel hands on one RMA, on real databases: each return confirmed once, each reminder
sent once, however many requests or sweeps run at the same moment."""

import threading

import pytest
from django.db import connections

from santacare.outbox.models import OutboundMail
from santacare.rma import services
from santacare.rma.errors import RmaError
from santacare.rma.models import ReturnReminder, Rma
from santacare.rma.reminders import send_return_reminders
from tests.factories import ContactFactory

from .conftest import at, deliver

THREADS = 4


def run_together(work) -> tuple[list, list[BaseException]]:
    results: list = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS, timeout=30)

    def worker(index: int) -> None:
        try:
            start.wait()
            results.append(work(index))
        except BaseException as error:  # noqa: BLE001 - reported by the caller's assertions
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.fixture
def pending(ticket, open_rma, agent, clock):
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 12), delivered=at(1, 15))
    return rma


@pytest.mark.django_db(transaction=True)
def test_r13_a_return_confirmed_at_once_from_four_places_is_recorded_once(pending, alice):
    results, errors = run_together(
        lambda index: (
            services.confirm_return(
                Rma.objects.get(pk=pending.pk), by_contact=alice, courier_code=f"JJFI{index}"
            ).return_courier_code
        )
    )

    assert len(results) == 1
    assert [error.code for error in errors if isinstance(error, RmaError)] == [
        "already_returned"
    ] * (THREADS - 1)
    pending.refresh_from_db()
    assert pending.return_courier_code == results[0]
    assert pending.ticket.events.filter(kind="rma_changed", data__new="returned").count() == 1


@pytest.mark.django_db(transaction=True)
def test_r13_parallel_reminder_sweeps_send_each_reminder_once(pending, alice, clock):
    ContactFactory(customer=alice.customer, email="bob@alice.example")
    clock.move_to(at(14, 9))

    results, errors = run_together(lambda index: send_return_reminders(now=at(14, 9)).sent)

    assert errors == []
    assert sum(results) == 2
    assert ReturnReminder.objects.count() == 2
    assert OutboundMail.objects.filter(kind="rma_overdue").count() == 2
