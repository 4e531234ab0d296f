"""Keyset paging for every list page: desk queues, portal lists, RMA lists, mail review.

A page starts just after (or, going back, just before) the row it continues from, found by
comparing the sort key, so a deep page costs what the first does and nothing counts the whole
table. The key must be a tuple of non-null fields ending in a unique one, e.g.
("-received_at", "-id"): rows with the same time still have one order, and none is skipped or
shown twice across a page break.

A cursor travels in the URL, so it is signed with a salt of the list it belongs to: a
hand-edited cursor, or one from another list, shows the first page rather than an error.
"""

import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Field, Model, Q, QuerySet
from django.http import QueryDict

M = TypeVar("M", bound=Model)
T = TypeVar("T")

_FORWARD = "n"
_BACKWARD = "p"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None


def keyset_page(
    queryset: QuerySet[M], *, order: tuple[str, ...], size: int, cursor: str, salt: str
) -> Page[M]:
    """One page of `queryset` in `order`, continuing from `cursor` ("" for the first page).

    One query per page; going back to the very start takes a second one, so that the first
    page always looks the same however it was reached.
    """
    position = _decode(cursor, queryset.model, order=order, salt=salt)
    direction, key = position if position else (_FORWARD, None)
    walk = order if direction == _FORWARD else tuple(_reversed(field) for field in order)
    rows = queryset.order_by(*walk)
    if key is not None:
        rows = rows.filter(_beyond(walk, key))
    items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    if direction == _BACKWARD:
        if not more:
            return keyset_page(queryset, order=order, size=size, cursor="", salt=salt)
        items.reverse()
        has_next, has_previous = True, True
    else:
        has_next, has_previous = more, key is not None
    return Page(
        items=items,
        next_cursor=_encode(_FORWARD, items[-1], order, salt) if has_next and items else None,
        previous_cursor=(
            _encode(_BACKWARD, items[0], order, salt) if has_previous and items else None
        ),
    )


def query_with(query: QueryDict, **cursors: str | None) -> str:
    """The page's query string with the given cursors set (the filters kept), or "" when
    there is no such page."""
    if not any(cursors.values()):
        return ""
    changed = query.copy()
    for name, cursor in cursors.items():
        changed[name] = cursor or ""
    return changed.urlencode()


def _name(field: str) -> str:
    return field.removeprefix("-")


def _reversed(field: str) -> str:
    return _name(field) if field.startswith("-") else f"-{field}"


def _beyond(order: tuple[str, ...], key: list[Any]) -> Q:
    """Rows after `key` in `order`: (a > x) or (a = x and b > y) or …, per field's direction."""
    clauses = []
    for index, field in enumerate(order):
        equal = {_name(earlier): value for earlier, value in zip(order[:index], key, strict=False)}
        lookup = "lt" if field.startswith("-") else "gt"
        clauses.append(Q(**equal, **{f"{_name(field)}__{lookup}": key[index]}))
    return reduce(operator.or_, clauses)


def _encode(direction: str, row: Model, order: tuple[str, ...], salt: str) -> str:
    key = [getattr(row, _name(field)) for field in order]
    # ISO text for dates and times; the field turns it back into a value when decoding.
    values = [value.isoformat() if hasattr(value, "isoformat") else value for value in key]
    return signing.dumps([direction, values], salt=salt)


def _key_field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        # A reverse relation has no column of its own to compare: a mistake in the list's key.
        raise ImproperlyConfigured(f"{model.__name__}.{name} cannot be part of a keyset key.")
    return field


def _decode(
    cursor: str, model: type[Model], *, order: tuple[str, ...], salt: str
) -> tuple[str, list[Any]] | None:
    if not cursor:
        return None
    fields = [_key_field(model, _name(field)) for field in order]
    try:
        direction, values = signing.loads(cursor, salt=salt)
        # A genuine cursor from before the list's key changed is as good as none.
        if direction not in (_FORWARD, _BACKWARD) or len(values) != len(order):
            return None
        return direction, [
            field.to_python(value) for field, value in zip(fields, values, strict=True)
        ]
    except (signing.BadSignature, ValueError, TypeError, ValidationError):
        return None
