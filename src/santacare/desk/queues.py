"""The desk's queues, their counts, sorting, search and paging.

A page is one query for the rows (plus the clocks of the rows shown, in a fixed number more)
and at most one for all the tab counts, however many tickets there are: the counts stop at
COUNT_CAP ("999+") and each process reuses them until a ticket changes or the minute turns,
and the pages are keyset pages, so paging deep never scans what was skipped. The default
order, next breach first, reads `Ticket.sla_due_at`, the indexed copy of the clocks that
`santacare.sla.due_index` keeps.
"""

import operator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, reduce
from typing import Any

from django.core import signing
from django.db import connection
from django.db.models import Case, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from santacare.accounts.models import User
from santacare.sla.clocks import Clock, ClockContext, ClockState, ticket_clocks
from santacare.sla.queries import with_history
from santacare.tickets.models import Channel, Priority, Ticket
from santacare.tickets.search import search_tickets

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 200
# Tab counts stop here: an agent needs "a lot", not an exact figure that costs a table scan.
COUNT_CAP = 999
# The agents' tab counts a process keeps (one entry per agent and state of the tickets).
COUNTS_KEPT = 256


class Queue:
    NEW = "new"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    WAITING = "waiting"
    AT_RISK = "at_risk"
    ALL = "all"

    LABELS = {
        NEW: _("New"),
        UNASSIGNED: _("Unassigned"),
        MINE: _("Mine"),
        WAITING: _("Waiting for customer"),
        AT_RISK: _("At SLA risk"),
        ALL: _("All"),
    }


class Sort:
    DUE = "due"
    UPDATED = "updated"
    PRIORITY = "priority"
    STATUS = "status"
    CUSTOMER = "customer"

    LABELS = {
        DUE: _("Next breach"),
        UPDATED: _("Updated"),
        PRIORITY: _("Priority"),
        STATUS: _("Status"),
        CUSTOMER: _("Customer"),
    }


# The order work moves through, rather than the alphabet of the codes.
_STATUS_RANK = Case(
    *(When(status=status, then=Value(rank)) for rank, status in enumerate(Ticket.Status.values)),
    default=Value(len(Ticket.Status.values)),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class Key:
    """One part of a sort key: the row attribute it is read from, its direction, and whether
    it may be empty (empty sorts last either way)."""

    name: str
    descending: bool = False
    nullable: bool = False
    moment: bool = False


_NEXT_DUE = Key("sla_due_at", nullable=True, moment=True)
SORT_KEYS: dict[str, tuple[Key, ...]] = {
    Sort.DUE: (_NEXT_DUE, Key("id")),
    Sort.UPDATED: (Key("updated_at", descending=True, moment=True), Key("id", descending=True)),
    Sort.PRIORITY: (Key("priority"), _NEXT_DUE, Key("id")),
    Sort.STATUS: (Key("status_rank"), _NEXT_DUE, Key("id")),
    Sort.CUSTOMER: (Key("customer_name"), _NEXT_DUE, Key("id")),
}


def _queue_conditions(agent_id: int, *, moment: datetime) -> dict[str, Q]:
    open_ = Q(status__in=Ticket.OPEN_STATUSES, merged_into__isnull=True)
    return {
        Queue.NEW: Q(status=Ticket.Status.NEW, merged_into__isnull=True),
        Queue.UNASSIGNED: open_ & Q(assignee__isnull=True),
        Queue.MINE: open_ & Q(assignee_id=agent_id),
        Queue.WAITING: Q(status=Ticket.Status.WAITING_ON_CUSTOMER),
        # Past the warning share of a counting clock, or breached (sla.due_index keeps both).
        Queue.AT_RISK: open_ & Q(sla_warning_at__lte=moment),
        Queue.ALL: Q(),
    }


def queue_counts_sql(agent_id: int, *, moment: datetime) -> tuple[list[str], str, list[Any]]:
    """The tabs and the one query that counts them (tests EXPLAIN it)."""
    parts: list[str] = []
    params: list[Any] = []
    conditions = _queue_conditions(agent_id, moment=moment)
    for name, condition in conditions.items():
        # In an index's order, so the count reads that index until the cap: unordered, a
        # sequential scan looks cheaper, and it reads the whole closed history before reaching
        # the open tickets. "Mine" reads the agent's own tickets and "at risk" its small index
        # (sla_warning_at) without an order.
        order = () if name in (Queue.AT_RISK, Queue.MINE) else ("-received_at", "-id")
        bounded = Ticket.objects.filter(condition).order_by(*order).values("pk")[: COUNT_CAP + 1]
        sql, part_params = bounded.query.sql_with_params()
        # The ORM's own compiled SQL with its parameters apart: nothing here is user text.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS bounded)")  # noqa: S608
        params.extend(part_params)
    return list(conditions), f"SELECT {', '.join(parts)}", params


def queue_counts(user: User, *, moment: datetime, stamp: datetime | None) -> dict[str, int]:
    """Every tab's count, each a count of at most COUNT_CAP + 1 rows, as of `stamp` (the last
    change to any ticket, queue_stamp) and the minute of `moment`.

    Every agent asks for the counts with every page and every live refresh, and at a million
    tickets the counting query is the page's slowest. Like the view counts of other desks they
    may lag a little: a process reuses them until a ticket changes or the minute turns (the
    minute also moves tickets into "at SLA risk")."""
    minute = moment.replace(second=0, microsecond=0)
    return dict(_counts_as_of(user.pk, stamp, minute))


@lru_cache(maxsize=COUNTS_KEPT)
def _counts_as_of(
    agent_id: int, stamp: datetime | None, minute: datetime
) -> tuple[tuple[str, int], ...]:
    names, sql, params = queue_counts_sql(agent_id, moment=minute)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return tuple(zip(names, row, strict=True))


def forget_queue_counts() -> None:
    """Drop the counts this process keeps (tests whose database rolls back reuse keys)."""
    _counts_as_of.cache_clear()


def queue_stamp() -> datetime | None:
    """When any ticket last changed: one look at the end of an index. The live queue asks this
    before rendering anything, and answers "not modified" while it stays the same."""
    return Ticket.objects.aggregate(last=Max("updated_at"))["last"]


@dataclass(frozen=True)
class Filters:
    queue: str = Queue.ALL
    q: str = ""
    status: str = ""
    priority: str = ""
    channel: str = ""
    sort: str = Sort.DUE


def search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Agents search everything, internal notes included (tickets/search.py)."""
    return search_tickets(tickets, text, internal=True)


def filtered_tickets(user: User, filters: Filters, *, moment: datetime) -> QuerySet[Ticket]:
    condition = _queue_conditions(user.pk, moment=moment).get(filters.queue, Q())
    tickets = Ticket.objects.filter(condition).select_related("customer", "assignee")
    if filters.status in Ticket.Status.values:
        tickets = tickets.filter(status=filters.status)
    if filters.priority in Priority.values:
        tickets = tickets.filter(priority=filters.priority)
    if filters.channel in Channel.values:
        tickets = tickets.filter(channel=filters.channel)
    return search(tickets, filters.q)


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    # The clocks still counting or paused; the first is the one due soonest.
    clocks: list[Clock] = field(default_factory=list)
    warning: bool = False

    @property
    def breached(self) -> bool:
        return any(clock.state == ClockState.BREACHED for clock in self.clocks)


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueRow]
    next_cursor: str | None
    first_page: bool
    previous_cursor: str | None = None


def _ordering(keys: tuple[Key, ...]) -> list[OrderBy]:
    # NULLS LAST only where a key can be empty: "DESC NULLS LAST" on a column that never is
    # would not match its index's order, and the newest-first sort would read every row.
    return [
        F(key.name).desc(nulls_last=key.nullable or None)
        if key.descending
        else F(key.name).asc(nulls_last=key.nullable or None)
        for key in keys
    ]


def _after(key: Key, value: Any) -> Q | None:
    """Rows beyond `value` in this key's order; None when nothing is (an empty value is last)."""
    if value is None:
        return None
    beyond = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
    return beyond | Q(**{f"{key.name}__isnull": True}) if key.nullable else beyond


def _same(key: Key, value: Any) -> Q:
    return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})


def _beyond(keys: tuple[Key, ...], values: list[Any]) -> Q:
    clauses = []
    for index, key in enumerate(keys):
        after = _after(key, values[index])
        if after is not None:
            earlier = [_same(k, v) for k, v in zip(keys[:index], values, strict=False)]
            clauses.append(reduce(operator.and_, [*earlier, after]))
    return reduce(operator.or_, clauses) if clauses else Q(pk__in=[])


def _reverse_ordering(keys: tuple[Key, ...]) -> list[OrderBy]:
    # The same order walked backwards: an empty value, last going forward, comes first.
    return [
        F(key.name).asc(nulls_first=True) if key.descending else F(key.name).desc(nulls_first=True)
        for key in keys
    ]


def _before(key: Key, value: Any) -> Q | None:
    """Rows ahead of `value` in this key's order; None when nothing is."""
    if value is None:
        return Q(**{f"{key.name}__isnull": False}) if key.nullable else None
    return Q(**{f"{key.name}__{'gt' if key.descending else 'lt'}": value})


def _ahead(keys: tuple[Key, ...], values: list[Any]) -> Q:
    clauses = []
    for index, key in enumerate(keys):
        before = _before(key, values[index])
        if before is not None:
            earlier = [_same(k, v) for k, v in zip(keys[:index], values, strict=False)]
            clauses.append(reduce(operator.and_, [*earlier, before]))
    return reduce(operator.or_, clauses) if clauses else Q(pk__in=[])


@dataclass(frozen=True)
class _Window:
    tickets: list[Ticket]
    next_cursor: str | None
    previous_cursor: str | None
    first_page: bool


def _window(rows: QuerySet[Ticket], keys: tuple[Key, ...], salt: str, cursor: str) -> _Window:
    """One page of sorted `rows` from a cursor: forward after a row, or back before one (its
    own salt, so neither cursor can pose as the other). One query; going back to the very
    start takes a second, so that the first page always looks the same however it was reached."""
    back_salt = f"{salt}.back"
    position = _decode(cursor, keys, salt)
    if position is None and (behind := _decode(cursor, keys, back_salt)) is not None:
        found = list(
            rows.order_by(*_reverse_ordering(keys)).filter(_ahead(keys, behind))[: PAGE_SIZE + 1]
        )
        if len(found) > PAGE_SIZE:
            tickets = found[:PAGE_SIZE][::-1]
            return _Window(
                tickets,
                _encode(tickets[-1], keys, salt),
                _encode(tickets[0], keys, back_salt),
                first_page=False,
            )
        position = None
    elif position is not None:
        rows = rows.filter(_beyond(keys, position))
    tickets = list(rows[: PAGE_SIZE + 1])
    more = len(tickets) > PAGE_SIZE
    tickets = tickets[:PAGE_SIZE]
    return _Window(
        tickets,
        _encode(tickets[-1], keys, salt) if more and tickets else None,
        _encode(tickets[0], keys, back_salt) if position is not None and tickets else None,
        first_page=position is None,
    )


def _decode(cursor: str, keys: tuple[Key, ...], salt: str) -> list[Any] | None:
    """The key a cursor continues from; None (the first page) for a forged or stale one."""
    if not cursor:
        return None
    try:
        values = signing.loads(cursor, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    decoded = []
    for key, value in zip(keys, values, strict=True):
        if key.moment and value is not None:
            value = parse_datetime(value) if isinstance(value, str) else None
            if value is None:
                return None
        decoded.append(value)
    return decoded


def _encode(row: Ticket, keys: tuple[Key, ...], salt: str) -> str:
    values = [getattr(row, key.name) for key in keys]
    return signing.dumps(
        [v.isoformat() if isinstance(v, datetime) else v for v in values], salt=salt
    )


def sorted_tickets(tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    """The tickets in the order of `sort` (next breach first by default), ready to page."""
    keys = SORT_KEYS.get(sort, SORT_KEYS[Sort.DUE])
    if sort == Sort.STATUS:
        tickets = tickets.annotate(status_rank=_STATUS_RANK)
    elif sort == Sort.CUSTOMER:
        tickets = tickets.annotate(customer_name=F("customer__name"))
    return tickets.order_by(*_ordering(keys))


def ticket_page(
    tickets: QuerySet[Ticket], *, sort: str, cursor: str, moment: datetime
) -> QueuePage:
    """One page in the chosen order, with the clocks of the rows on it."""
    sort = sort if sort in SORT_KEYS else Sort.DUE
    keys = SORT_KEYS[sort]
    salt = f"desk.queue.{sort}"
    window = _window(with_history(sorted_tickets(tickets, sort)), keys, salt, cursor)
    items = window.tickets
    context = ClockContext.load()
    return QueuePage(
        items=[_row(ticket, context=context, moment=moment) for ticket in items],
        next_cursor=window.next_cursor,
        first_page=window.first_page,
        previous_cursor=window.previous_cursor,
    )


def _row(ticket: Ticket, *, context: ClockContext, moment: datetime) -> QueueRow:
    clocks = ticket_clocks(ticket, now=moment, context=context, explain=False)
    shown = sorted((clock for clock in clocks if clock.is_open), key=lambda clock: clock.due)
    warning = any(
        clock.state == ClockState.RUNNING and clock.warning_at and clock.warning_at <= moment
        for clock in shown
    )
    return QueueRow(ticket, shown, warning)
