"""Periodic jobs run once per period across all workers (docs/OPERATIONS.md: singletons)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from santacare.core.models import PeriodicRun
from santacare.core.periodic import claim, last_finished, once_per_period, period_start

MINUTE = timedelta(minutes=1)


def test_a_period_is_named_the_same_by_clocks_a_little_apart():
    boundary = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    early = boundary - timedelta(seconds=2)  # a node whose clock is 2 s behind
    late = boundary + timedelta(seconds=25)  # a task picked up late from the queue
    assert period_start(early, MINUTE) == period_start(late, MINUTE) == boundary


@pytest.mark.django_db
def test_the_second_worker_in_a_period_skips_the_job(time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 8, 0, 1, tzinfo=UTC), tick=False)
    runs = []

    @once_per_period("test_job", MINUTE)
    def job() -> None:
        runs.append(1)

    job()
    job()
    assert runs == [1]
    time_machine.move_to(datetime(2026, 12, 2, 8, 1, 2, tzinfo=UTC), tick=False)
    job()
    assert runs == [1, 1]
    assert PeriodicRun.objects.filter(job="test_job", finished_at__isnull=False).count() == 2
    assert last_finished("test_job") == datetime(2026, 12, 2, 8, 1, 2, tzinfo=UTC)


@pytest.mark.django_db
def test_a_restarted_worker_firing_late_in_the_minute_does_not_run_the_job_again(time_machine):
    """Each huey consumer fires its periodic tasks at its own second of the minute: one that
    started at :40 fires 21 s after one that started at :19, in the next rounded period. The job
    must not run twice within one minute of the clock (seen in the cluster test)."""
    runs = []

    @once_per_period("sweep_job", MINUTE)
    def job() -> None:
        runs.append(1)

    time_machine.move_to(datetime(2026, 12, 2, 8, 0, 19, tzinfo=UTC), tick=False)
    job()
    time_machine.move_to(datetime(2026, 12, 2, 8, 0, 40, tzinfo=UTC), tick=False)
    job()
    assert runs == [1]
    time_machine.move_to(datetime(2026, 12, 2, 8, 1, 19, tzinfo=UTC), tick=False)
    job()
    time_machine.move_to(datetime(2026, 12, 2, 8, 1, 40, tzinfo=UTC), tick=False)
    job()
    assert runs == [1, 1]


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_not_counted_as_a_success(time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 8, 0, tzinfo=UTC), tick=False)

    @once_per_period("failing_job", MINUTE)
    def job() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        job()
    run = PeriodicRun.objects.get(job="failing_job")
    assert run.failed
    assert run.finished_at is not None
    assert last_finished("failing_job") is None


@pytest.mark.django_db
def test_an_overrunning_job_is_not_overlapped_until_its_lease_ends(time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 8, 0, tzinfo=UTC), tick=False)
    assert claim("slow_job", MINUTE) is not None  # started, never finished (killed, or slow)
    time_machine.move_to(datetime(2026, 12, 2, 8, 1, tzinfo=UTC), tick=False)
    assert claim("slow_job", MINUTE) is None
    time_machine.move_to(datetime(2026, 12, 2, 8, 6, tzinfo=UTC), tick=False)
    assert claim("slow_job", MINUTE) is not None  # the dead worker's lease has run out


@pytest.mark.django_db(transaction=True)
def test_many_workers_at_once_claim_a_period_once():
    """Eight threads, each with its own database connection, race for one period."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    barrier = threading.Barrier(8)
    claimed = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            if claim("raced_job", timedelta(hours=1)) is not None:
                claimed.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert claimed == [1]
    assert PeriodicRun.objects.filter(job="raced_job").count() == 1
