"""SLA report pages and CSV: agents see all customers, a customer's contact sees only its own
company (taken from the login, never from the request)."""

import csv
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from santacare.accounts.access import agent_required
from santacare.core.time import helsinki, now
from santacare.customers.access import current_contact

from .charts import MET, bar_chart
from .dimensions import Dimension, ReportQuery
from .drilldown import MAX_TICKETS, row_tickets, ticket_figures
from .forms import ReportForm, RowForm, default_period
from .queries import ClockFigures, ReportRow, label_rows, sla_report
from .replacements import ReplacementFigures


@agent_required
def agent_report(request: HttpRequest) -> HttpResponse:
    return _report(request, customer_id=None, csv_name="agent_csv")


@agent_required
def agent_csv(request: HttpRequest) -> HttpResponse:
    return _csv(request, customer_id=None)


@login_required
def customer_report(request: HttpRequest) -> HttpResponse:
    return _report(request, customer_id=_own_customer_id(request), csv_name="customer_csv")


@login_required
def customer_csv(request: HttpRequest) -> HttpResponse:
    return _csv(request, customer_id=_own_customer_id(request))


@agent_required
def agent_row(request: HttpRequest) -> HttpResponse:
    return _row(request, customer_id=None)


@login_required
def customer_row(request: HttpRequest) -> HttpResponse:
    return _row(request, customer_id=_own_customer_id(request))


def _row(request: HttpRequest, *, customer_id: int | None) -> HttpResponse:
    """The tickets behind one report row. A customer's own company comes from the login, so
    another company's id in the link changes nothing."""
    form = RowForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "reports/row.html",
            {"form": form, **_layout(customer_id)},
            status=400,
        )
    data = form.cleaned_data
    query = ReportQuery(
        group_by=data["group"],
        customer_id=customer_id if customer_id is not None else data["customer"],
        portal_only=data["portal"],
    )
    figures = ticket_figures(row_tickets(query, month=data["month"], key=data["key"]))
    row = ReportRow(month=data["month"], key=data["key"])
    label_rows([row], query.group_by)
    return render(
        request,
        "reports/row.html",
        {
            "form": form,
            "month": data["month"],
            "group_label": Dimension.LABELS[query.group_by],
            "row_label": row.label,
            "figures": figures,
            "truncated": len(figures) == MAX_TICKETS,
            "max_tickets": MAX_TICKETS,
            **_layout(customer_id),
        },
    )


def _layout(customer_id: int | None) -> dict[str, object]:
    """A customer reads the report inside the portal, an agent inside the desk."""
    if customer_id is None:
        return {"layout": "reports/_agent_layout.html", "own_company": False}
    return {"layout": "reports/_customer_layout.html", "own_company": True, "nav": "reports"}


def _own_customer_id(request: HttpRequest) -> int:
    contact = current_contact(request.user)
    if contact is None:
        raise PermissionDenied
    return contact.customer_id


def _query(request: HttpRequest, *, customer_id: int | None) -> tuple[ReportForm, ReportQuery]:
    form = ReportForm(request.GET or None, customer_choice=customer_id is None)
    first, last = default_period(helsinki(now()).date())
    group = Dimension.PRIORITY
    chosen_customer = customer_id
    if form.is_bound and form.is_valid():
        group = form.cleaned_data["group"] or group
        first = form.cleaned_data["first"] or first
        last = form.cleaned_data["last"] or last
        if customer_id is None and form.cleaned_data.get("customer"):
            chosen_customer = form.cleaned_data["customer"].pk
    portal_only = bool(form.is_bound and form.is_valid() and form.cleaned_data["portal"])
    return form, ReportQuery(
        group_by=group,
        customer_id=chosen_customer,
        first_month=first,
        last_month=last,
        portal_only=portal_only,
    )


def _report(request: HttpRequest, *, customer_id: int | None, csv_name: str) -> HttpResponse:
    form, query = _query(request, customer_id=customer_id)
    rows = sla_report(query)
    return render(
        request,
        "reports/sla_report.html",
        {
            "form": form,
            "query": query,
            "rows": rows,
            "group_label": Dimension.LABELS[query.group_by],
            "charts": _charts(rows),
            "not_applicable": sum(row.response.not_applicable for row in rows),
            "csv_name": csv_name,
            "row_url": "reports:customer_row" if customer_id is not None else "reports:agent_row",
            **_layout(customer_id),
        },
    )


def _charts(rows: list[ReportRow]) -> list:
    totals: dict[str, list[int]] = {}
    per_month: dict[date, int] = {}
    for row in rows:
        t = totals.setdefault(row.label, [0, 0, 0, 0])
        t[0] += row.response.met
        t[1] += row.response.count
        t[2] += row.restore.met
        t[3] += row.restore.count
        per_month[row.month] = per_month.get(row.month, 0) + row.tickets
    response = [(k, round(100 * v[0] / v[1], 1)) for k, v in totals.items() if v[1]]
    restore = [(k, round(100 * v[2] / v[3], 1)) for k, v in totals.items() if v[3]]
    return [
        bar_chart(
            _("Tickets per month"),
            [
                (date_format(month, "YEAR_MONTH_FORMAT"), tickets)
                for month, tickets in sorted(per_month.items())
            ],
        ),
        bar_chart(_("Response targets met"), response, unit=" %", scale=100, colour=MET),
        bar_chart(_("Restore targets met"), restore, unit=" %", scale=100, colour=MET),
    ]


def _csv(request: HttpRequest, *, customer_id: int | None) -> HttpResponse:
    """The report as Excel opens it in columns in the reader's language.

    Excel splits a double-clicked file on the list separator of the reader's locale, which is the
    semicolon wherever the decimal separator is a comma (Finnish); it takes a file for UTF-8 only
    when it starts with a byte order mark. Numbers carry the language's decimal separator.
    """
    query = _query(request, customer_id=customer_id)[1]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sla-report.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Month"),
            Dimension.LABELS[query.group_by],
            _("Tickets"),
            _("Responses"),
            _("Response median (min)"),
            _("Response p90 (min)"),
            _("Response met (%)"),
            _("Closed before a response"),
            _("Restored"),
            _("Restore median (min)"),
            _("Restore p90 (min)"),
            _("Restore met (%)"),
            _("Replacements delivered"),
            _("Replacement median (h)"),
            _("Replacement on time (%)"),
        ]
    )
    for row in sla_report(query):
        writer.writerow(
            [
                date_format(row.month, "YEAR_MONTH_FORMAT"),
                _safe_cell(row.label),
                row.tickets,
                *_figures(row.response),
                row.response.not_applicable,
                *_figures(row.restore),
                *_replacement(row.replacement),
            ]
        )
    return response


def _figures(figures: ClockFigures) -> list[int | str]:
    met = "" if figures.met_percent is None else number_format(figures.met_percent, 1)
    return [figures.count, _blank(figures.median), _blank(figures.p90), met]


def _replacement(figures: ReplacementFigures) -> list[int | str]:
    median = "" if figures.median_hours is None else number_format(figures.median_hours, 1)
    met = "" if figures.met_percent is None else number_format(figures.met_percent, 1)
    return [figures.count, median, met]


def _blank(minutes: int | None) -> int | str:
    return "" if minutes is None else minutes


def _safe_cell(text: str) -> str:
    # A company name such as "=HYPERLINK(...)" must not become a formula in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
