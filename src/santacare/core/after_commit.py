"""Work noted during a transaction and done once, together, after it commits.

A transaction often owes the same kind of follow-up many times (fifty mails' acknowledgements
to enqueue, the next-breach copies of the tickets it changed); one call for all of them is
cheaper than one each (issue 12).
"""

from collections.abc import Callable, Hashable

from django.db import transaction


class AfterCommit:
    """Items noted with `note` are handed to `run_with` once the transaction commits.

    Kept on the connection, so each thread's transactions have their own. Every note registers
    `run` with on_commit; the first call after a commit takes every item noted so far and the
    others find nothing left. An item noted by a change that was then rolled back stays for the
    next commit: `run_with` must treat it as harmless (a row it cannot find, a value it merely
    computes again)."""

    def __init__(self, name: str, run_with: Callable[[list[Hashable]], None]) -> None:
        self._attribute = f"santacare_after_commit_{name}"
        self._run_with = run_with

    def note(self, item: Hashable) -> None:
        self._pending()[item] = None  # a dict: noted once each, in the order noted
        transaction.on_commit(self.run)

    def run(self) -> None:
        pending = self._pending()
        if pending:
            items = list(pending)
            pending.clear()
            self._run_with(items)

    def _pending(self) -> dict[Hashable, None]:
        connection = transaction.get_connection()
        pending: dict[Hashable, None] | None = getattr(connection, self._attribute, None)
        if pending is None:
            pending = {}
            setattr(connection, self._attribute, pending)
        return pending
