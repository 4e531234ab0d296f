"""Tracking numbers (R6, R12): found in any subject, check digit validated, never reused."""

import threading

import pytest
from django.db import connection, connections, transaction

from santacare.tickets.tracking import (
    allocate_tracking_number,
    damm_check_digit,
    find_tracking_number,
    format_tracking_number,
    parse_tracking_number,
)

VALID = format_tracking_number(12345)  # SC-123459 (the Damm digit of 12345 is 9)


def test_r12_format_appends_damm_check_digit():
    assert VALID == "SC-123459"
    assert damm_check_digit("123459") == 0


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (f"[{VALID}] Kytkin ei käynnisty", VALID),
        (f"VS: Vast: [{VALID}] Kytkin ei käynnisty", VALID),
        (f"RE: AW: SV: Antw: VL: Fwd: TR: [{VALID}] switch", VALID),
        ("AW: sc-123459 switch down", VALID),  # brackets lost, lower case
        ("Re: [SC 123459] space instead of hyphen", VALID),
        ("Re: SC#123459 hash", VALID),
        ("Re：[SC-123459] full-width colon", VALID),
        ("SC-123459abc", None),  # part of a longer word
        ("XSC-123459", None),
        ("SC-1234591", None),  # an extra digit: the check digit no longer fits
        ("SC-123455", None),  # one digit mistyped
        ("SC-124359", None),  # two neighbours swapped
        ("Switch down", None),
        ("", None),
    ],
)
def test_r6_find_tracking_number_in_subject(subject, expected):
    assert find_tracking_number(subject) == expected


def test_r12_every_single_digit_typo_is_rejected():
    body = VALID.removeprefix("SC-")
    for position in range(len(body)):
        for digit in "0123456789":
            if digit == body[position]:
                continue
            typo = body[:position] + digit + body[position + 1 :]
            assert parse_tracking_number(f"SC-{typo}") is None, typo


def test_r12_every_adjacent_swap_is_rejected():
    body = VALID.removeprefix("SC-")
    for position in range(len(body) - 1):
        swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
        if swapped != body:
            assert parse_tracking_number(f"SC-{swapped}") is None, swapped


def test_r12_parse_accepts_only_a_whole_number():
    assert parse_tracking_number(" sc-123459 ") == VALID
    assert parse_tracking_number("see SC-123459") is None


@pytest.mark.django_db
def test_r6_allocated_numbers_are_valid_and_increasing():
    numbers = [allocate_tracking_number() for _ in range(5)]

    assert all(parse_tracking_number(n) == n for n in numbers)
    assert len(set(numbers)) == 5
    assert [int(n[3:-1]) for n in numbers] == sorted(int(n[3:-1]) for n in numbers)


@pytest.mark.django_db(transaction=True)
def test_r6_parallel_writers_never_get_the_same_number():
    """Eight threads, each with its own database connection, allocate at once (PostgreSQL is
    where this matters; SQLite serializes writers and must give the same guarantee)."""
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8, timeout=30)

    def writer() -> None:
        try:
            start.wait()
            for _ in range(25):
                results.append(allocate_tracking_number())
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 200
    assert len(set(results)) == 200


@pytest.mark.django_db(transaction=True)
def test_r6_a_number_is_never_handed_out_twice_even_after_a_rollback():
    issued = allocate_tracking_number()

    def allocate_then_fail() -> str:
        with transaction.atomic():
            rolled_back.append(allocate_tracking_number())
            raise RuntimeError

    rolled_back: list[str] = []
    with pytest.raises(RuntimeError):
        allocate_then_fail()

    after = allocate_tracking_number()
    assert after != issued
    if connection.vendor == "postgresql":
        # A sequence value is consumed even by a transaction that rolls back.
        assert after != rolled_back[0]
