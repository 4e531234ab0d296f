"""Tracking numbers (R6, R12): `SC-` + a sequence number + a Damm check digit.

The check digit catches every single mistyped digit and every swap of two neighbours, so a
number read over the phone or retyped in a subject never lands on another ticket: a number
whose check digit is wrong is treated as no number at all.
"""

import re
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import QuerySet

from santacare.core.batch_scope import in_batch_scope, per_batch

if TYPE_CHECKING:
    from .models import Ticket

PREFIX = "SC-"
FIRST_SEQUENCE_VALUE = 10000  # so numbers start at six digits: SC-100001
SEQUENCE_NAME = "tickets_tracking_number_seq"

# The Damm algorithm's quasigroup of order 10 (Damm 2004).
_DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

# Anywhere in a text, any case, brackets optional; "SC 123456" and "SC#123456" are common
# retypings. Not inside a longer word or number ("XSC-1234567", "SC-123456789012345").
TRACKING_NUMBER_RE = re.compile(r"(?<![A-Za-z0-9])SC[-‐–#: ]?\s?(\d{6,12})(?![A-Za-z0-9])", re.I)


def damm_check_digit(digits: str) -> int:
    interim = 0
    for digit in digits:
        interim = _DAMM_TABLE[interim][int(digit)]
    return interim


def is_valid(digits: str) -> bool:
    return digits.isdigit() and damm_check_digit(digits) == 0


def format_tracking_number(sequence_value: int) -> str:
    body = str(sequence_value)
    return f"{PREFIX}{body}{damm_check_digit(body)}"


def parse_tracking_number(text: str) -> str | None:
    """The canonical tracking number if `text` is exactly one (any case, spaces allowed)."""
    match = TRACKING_NUMBER_RE.fullmatch(text.strip())
    if match and is_valid(match[1]):
        return f"{PREFIX}{match[1]}"
    return None


def ticket_by_tracking_number(text: str, *, scope: "QuerySet[Ticket]") -> "Ticket | None":
    """The ticket a typed tracking number names, looked for only within `scope`: a customer's own
    tickets, or the desk's. None for anything that is not one tracking number with a right
    check digit, so a mistyped number never reaches another ticket (R12), whatever it is
    stored as.
    """
    number = parse_tracking_number(text)
    if number is None:
        return None
    return scope.filter(tracking_number=number).first()


def find_tracking_number(text: str) -> str | None:
    """The first valid tracking number anywhere in `text` (a subject, say), else None."""
    for match in TRACKING_NUMBER_RE.finditer(text):
        if is_valid(match[1]):
            return f"{PREFIX}{match[1]}"
    return None


def allocate_tracking_number() -> str:
    """A new, never-used tracking number; safe under concurrent intake.

    PostgreSQL hands out sequence values without locks and never gives one twice, even when the
    transaction that took it rolls back. SQLite serializes writers, so a counter row updated
    with RETURNING is equally safe there. A batch's reserved numbers are handed out first.
    """
    reserved = _reserved()
    (value,) = [reserved.pop(0)] if reserved else _next_values(1)
    return format_tracking_number(value)


def reserve_tracking_numbers(count: int) -> None:
    """In a batch scope, take `count` numbers in one statement for the tickets the batch may
    open. Call it where no savepoint can roll back under it: on SQLite the counter row would go
    back while the batch still held the numbers. Numbers left unused are gaps, as after any
    rollback."""
    if count > 0 and in_batch_scope():
        _reserved().extend(_next_values(count))


def _reserved() -> list[int]:
    return per_batch("tickets.reserved_tracking_numbers", list)


def _next_values(count: int) -> list[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE_NAME, count])
            return sorted(value for (value,) in cursor.fetchall())
        # The row comes from a migration; a database flush (the test runner's) removes it.
        cursor.execute(
            "INSERT OR IGNORE INTO tickets_trackingcounter (id, value) VALUES (1, %s)",
            [FIRST_SEQUENCE_VALUE - 1],
        )
        cursor.execute(
            "UPDATE tickets_trackingcounter SET value = value + %s WHERE id = 1 RETURNING value",
            [count],
        )
        (last,) = cursor.fetchone()
    return list(range(last - count + 1, last + 1))
