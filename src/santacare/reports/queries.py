"""SLA reports, computed in the database (R5): per month and one more dimension, ticket counts,
response and restore times (median, 90th percentile) and the share of targets met.

A response clock the customer stopped by closing the ticket before any response is stored with
`met` empty: it is left out of the count, the times and the share met, and counted apart.

Percentiles are nearest-rank: the value at rank ⌈p·n⌉ of the sorted times. SQLite computes them
with window functions (ROW_NUMBER and COUNT over a partition), PostgreSQL with percentile_disc;
the tests check both against a brute-force recount. The times are covered minutes (the
clock's own measure, pauses and days off excluded), read from `sla.ClockResult`, which copies
the report dimensions from the ticket so that a report is one scan of one table.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth

from santacare.core.time import HELSINKI
from santacare.customers.models import Customer, Site
from santacare.installbase.models import Device, ServiceLevel
from santacare.sla.models import ClockName, ClockResult
from santacare.tickets.models import Channel, Priority

from .dimensions import Dimension, ReportQuery, as_date, reported_tickets
from .replacements import ReplacementFigures, replacement_figures


@dataclass
class ClockFigures:
    count: int = 0
    median: int | None = None
    p90: int | None = None
    met: int = 0
    not_applicable: int = 0  # stopped with nothing to measure, left out of the figures above

    @property
    def met_percent(self) -> float | None:
        return round(100 * self.met / self.count, 1) if self.count else None


@dataclass
class ReportRow:
    month: date
    key: str
    label: str = ""
    tickets: int = 0
    response: ClockFigures = field(default_factory=ClockFigures)
    restore: ClockFigures = field(default_factory=ClockFigures)
    replacement: ReplacementFigures = field(default_factory=ReplacementFigures)


_PERCENTILES_SQL = """
WITH ranked AS (
    SELECT clock, month, {column} AS k, elapsed_minutes AS v, met,
           ROW_NUMBER() OVER (
               PARTITION BY clock, month, {column}, met IS NULL ORDER BY elapsed_minutes
           ) AS rn,
           COUNT(*) OVER (PARTITION BY clock, month, {column}, met IS NULL) AS n
    FROM {table}
    WHERE clock IN (%s, %s){where}
)
SELECT clock, month, k, COUNT(met),
       MAX(CASE WHEN met IS NOT NULL AND rn = (n * 50 + 99) / 100 THEN v END),
       MAX(CASE WHEN met IS NOT NULL AND rn = (n * 90 + 99) / 100 THEN v END),
       SUM(CASE WHEN met THEN 1 ELSE 0 END),
       COUNT(*) - COUNT(met)
FROM ranked
GROUP BY clock, month, k
"""


def sla_report(query: ReportQuery) -> list[ReportRow]:
    rows: dict[tuple[date, str], ReportRow] = {}

    def row(month: date, key: object) -> ReportRow:
        k = "" if key is None else str(key)
        return rows.setdefault((month, k), ReportRow(month=month, key=k))

    for month, key, count in _ticket_counts(query):
        row(month, key).tickets = count
    for clock, month, key, n, median, p90, met, not_applicable in _clock_figures(query):
        figures = ClockFigures(
            count=n, median=median, p90=p90, met=int(met or 0), not_applicable=not_applicable
        )
        setattr(row(as_date(month), key), clock, figures)
    for (month, key), replacement in replacement_figures(query).items():
        row(month, key).replacement = replacement
    result = sorted(rows.values(), key=lambda r: (r.month, r.key))
    label_rows(result, query.group_by)
    return result


def _ticket_counts(query: ReportQuery):
    column = Dimension.TICKET_COLUMNS[query.group_by]
    counted = (
        reported_tickets(query)
        .annotate(m=TruncMonth("received_at", tzinfo=HELSINKI))
        .values_list("m", column)
        .annotate(c=Count("pk"))
        .order_by()
    )
    for month, key, count in counted:
        yield as_date(month), key, count


# PostgreSQL's ordered-set aggregate gives the same nearest-rank value (percentile_disc returns
# the first value whose cumulative share reaches p, i.e. rank ⌈p·n⌉) about twenty times faster
# than the window functions on a million tickets (bench/sla_report.py), so it has its own SQL.
_PERCENTILES_POSTGRESQL = """
SELECT clock, month, {column} AS k, COUNT(met),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY elapsed_minutes) FILTER (WHERE met IS NOT NULL),
       percentile_disc(0.9) WITHIN GROUP (ORDER BY elapsed_minutes) FILTER (WHERE met IS NOT NULL),
       SUM(CASE WHEN met THEN 1 ELSE 0 END),
       COUNT(*) - COUNT(met)
FROM {table}
WHERE clock IN (%s, %s){where}
GROUP BY clock, month, {column}
"""


def _clock_figures(query: ReportQuery):
    conditions: list[str] = []
    params: list[str | int | date] = [ClockName.RESPONSE.value, ClockName.RESTORE.value]
    if query.customer_id is not None:
        conditions.append("customer_id = %s")
        params.append(query.customer_id)
    if query.portal_only:
        conditions.append("channel = %s")
        params.append(Channel.PORTAL.value)
    if query.first_month:
        conditions.append("month >= %s")
        params.append(query.first_month)
    if query.last_month:
        conditions.append("month <= %s")
        params.append(query.last_month)
    where = "".join(f" AND {condition}" for condition in conditions)
    template = _PERCENTILES_POSTGRESQL if connection.vendor == "postgresql" else _PERCENTILES_SQL
    sql = template.format(
        column=Dimension.COLUMNS[query.group_by], table=ClockResult._meta.db_table, where=where
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def label_rows(rows: list[ReportRow], group_by: str) -> None:
    """Name each row's dimension value: a company, a site or a device rather than its id."""
    keys = {r.key for r in rows if r.key}
    names: dict[str, str] = {}
    if group_by == Dimension.CUSTOMER:
        ids = [int(k) for k in keys]
        names = {
            str(pk): name
            for pk, name in Customer.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    elif group_by == Dimension.SERVICE_LEVEL:
        ids = [int(k) for k in keys]
        names = {
            str(pk): name
            for pk, name in ServiceLevel.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    elif group_by == Dimension.PRIORITY:
        names = {value: str(label) for value, label in Priority.choices}
    elif group_by == Dimension.CHANNEL:
        names = {value: str(label) for value, label in Channel.choices}
    elif group_by == Dimension.SITE:
        names = {str(site.pk): str(site) for site in Site.objects.filter(pk__in=_ids(keys))}
    elif group_by == Dimension.DEVICE:
        names = {
            str(pk): f"{serial} {device_type}".strip()
            for pk, serial, device_type in Device.objects.filter(pk__in=_ids(keys)).values_list(
                "pk", "serial_number", "device_type"
            )
        }
    for r in rows:
        r.label = names.get(r.key, r.key) if r.key else "—"


def _ids(keys: set[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]
