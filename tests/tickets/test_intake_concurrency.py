"""Concurrent intake (R6): many channels opening tickets at once on real databases."""

import threading

import pytest
from django.db import connections

from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Ticket
from santacare.tickets.outcomes import Outcome

WRITERS = 6
TICKETS_PER_WRITER = 5


@pytest.mark.django_db(transaction=True)
def test_r6_parallel_intake_gives_every_ticket_its_own_number(alice, alice_device):
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS, timeout=30)
    channels = [Channel.PORTAL, Channel.EMAIL, Channel.PHONE]

    def writer(index: int) -> None:
        try:
            start.wait()
            for number in range(TICKETS_PER_WRITER):
                request = TicketRequest(
                    channel=channels[index % len(channels)],
                    contact=alice,
                    serial_number=alice_device.serial_number,
                    subject=f"Writer {index} ticket {number}",
                    description="Porttien linkit katkeilevat.",
                    acknowledge=False,
                )
                outcomes.append(open_ticket(request).outcome)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert outcomes == [Outcome.CREATED] * (WRITERS * TICKETS_PER_WRITER)
    numbers = list(Ticket.objects.values_list("tracking_number", flat=True))
    assert len(numbers) == WRITERS * TICKETS_PER_WRITER
    assert len(set(numbers)) == len(numbers)
    # Every ticket is whole: its first message and its "opened" event were written with it.
    for ticket in Ticket.objects.all():
        assert ticket.messages.count() == 1
        assert ticket.events.filter(kind="opened").count() == 1
