"""Structured logs: the ids of what is being worked on, on every line logged meanwhile.

`log_context` (a context manager) and `bind` put a request id, ticket id or mail id in a context
variable; `ContextFilter` copies them onto each record, and with SANTACARE_LOG_FORMAT=json
`JsonFormatter` writes one JSON object per line, so a multi-line message or a traceback stays
one event for the log collector. Imports nothing of Django's models: settings load it.
"""

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType

CONTEXT_FIELDS = ("request_id", "ticket_id", "mail_id")

_context: ContextVar[Mapping[str, object]] = ContextVar(
    "santacare_log_context", default=MappingProxyType({})
)


def bind(**fields: object) -> None:
    """Add ids to the current context (until the enclosing `log_context` ends)."""
    _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def current() -> dict[str, object]:
    return dict(_context.get())


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                event[name] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)
