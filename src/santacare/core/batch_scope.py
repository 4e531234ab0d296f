"""Answers read once per batch of work, not once per item (issue 12).

A batch of fifty mails asked the same questions fifty times: which webhook endpoints are
active, whether today is a business day, how much automatic mail a sender has had today. A
batch opens `batch_scope()` around its one transaction attempt; inside it `per_batch` loads an
answer once and hands out the same object again. Outside a scope every call loads afresh, so
no other caller sees a difference.

Only what may be a moment old belongs here (what an admin edits, counters that are loop
brakes), never rows the batch itself must read back after writing them.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_scope: ContextVar[dict[Hashable, Any] | None] = ContextVar("santacare_batch_scope", default=None)


@contextmanager
def batch_scope() -> Iterator[None]:
    """Open a scope; what was loaded in it is dropped when it ends (with its transaction)."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def in_batch_scope() -> bool:
    return _scope.get() is not None


def per_batch(key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, once per scope for each key; every call outside a scope loads."""
    scope = _scope.get()
    if scope is None:
        return load()
    if key not in scope:
        scope[key] = load()
    value: T = scope[key]
    return value
