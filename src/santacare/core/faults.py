"""Fault-injection points for the crash-window tests (no-ops in production).

A point is named where a crash would hurt: between receiving a mail and storing it, between
storing and processing, while parsing, inside the ticket transaction, after its commit, and
between the SMTP server's 250 and the outbox row marked sent. The tests arm a point either
in-process (`inject`) or for a subprocess through SANTACARE_FAULT="<point>:<raise|exit>", and then
check that nothing was lost and nothing done twice.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

AFTER_RECEIVE = "after_receive"
AFTER_RAW_INSERT = "after_raw_insert"
MID_PARSE = "mid_parse"
MID_TRANSACTION = "mid_transaction"
AFTER_COMMIT = "after_commit"
AFTER_SMTP_250 = "after_smtp_250"

EXIT_CODE = 99  # what a crashed process exits with; distinct from 0 and 75

_armed: dict[str, str] = {}


class InjectedFault(RuntimeError):
    """Raised at an armed point; deliberately not a DatabaseError, so no code path catches it."""


def point(name: str) -> None:
    action = _armed.get(name)
    if action is None:
        spec = os.environ.get("SANTACARE_FAULT", "")
        if not spec:
            return
        armed_name, _, armed_action = spec.partition(":")
        if armed_name != name:
            return
        action = armed_action or "raise"
    if action == "exit":
        os._exit(EXIT_CODE)  # a crash: no cleanup, no commit, no exception handlers
    raise InjectedFault(name)


@contextmanager
def inject(name: str, action: str = "raise") -> Iterator[None]:
    _armed[name] = action
    try:
        yield
    finally:
        _armed.pop(name, None)
