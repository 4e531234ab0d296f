"""SLA reports (R5): numbers from the database checked against a brute-force recount, and a
customer's report shows its own company only."""

import csv
import io
import math
import random
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from santacare.core.time import HELSINKI
from santacare.reports.queries import Dimension, ReportQuery, sla_report
from santacare.sla.models import ClockResult
from santacare.sla.results import month_of, record_results
from santacare.tickets.models import Ticket
from tests.factories import (
    AdvancedServiceLevelFactory,
    AgentFactory,
    ContactFactory,
    CustomerFactory,
    DeviceFactory,
    ServiceLevelFactory,
    UserFactory,
)
from tests.sla.conftest import close_as_customer, make_ticket

# Instants near month ends in Helsinki: 1.7. 00:30 +03 is still 30.6. in UTC.
EDGES = ["2026-06-30T23:30+03:00", "2026-07-01T00:30+03:00", "2026-05-31T23:59+03:00"]


def generate(seed: int = 7, count: int = 240):
    rng = random.Random(seed)
    customers = [CustomerFactory(name=f"Gen {n} Oy") for n in range(3)]
    # Two devices per company on two sites, and tickets without a device, for R5's finer report.
    devices = {
        customer.pk: [DeviceFactory(customer=customer) for _site in range(2)] + [None]
        for customer in customers
    }
    levels = [ServiceLevelFactory(), AdvancedServiceLevelFactory()]
    base = datetime(2026, 5, 1, tzinfo=HELSINKI)
    tickets = []
    for n in range(count):
        received = (
            datetime.fromisoformat(EDGES[n % len(EDGES)])
            if n % 10 == 0
            else base + timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
        )
        level = rng.choice(levels)
        customer = rng.choice(customers)
        tickets.append(
            Ticket(
                tracking_number=f"SC-9{n:05d}",
                customer=customer,
                device=rng.choice(devices[customer.pk]),
                channel=rng.choice(["portal", "email", "phone"]),
                subject="generated",
                priority=rng.choice(["P1", "P2", "P3", "P4"]),
                service_level=level,
                contract_number=rng.choice(["SCM-1", "SCM-2", ""]),
                received_at=received,
            )
        )
    Ticket.objects.bulk_create(tickets)
    results = []
    for ticket in Ticket.objects.filter(subject="generated").select_related("device"):
        for clock in ("response", "restore"):
            if rng.random() < 0.15:
                continue  # still running: no result
            elapsed = rng.randrange(0, 3000)
            target = rng.choice([60, 180, 480, 960])
            # Closed by the customer before any response: nothing to measure (R5).
            met = None if clock == "response" and rng.random() < 0.1 else elapsed <= target
            results.append(
                ClockResult(
                    ticket=ticket,
                    clock=clock,
                    started_at=ticket.received_at,
                    stopped_at=ticket.received_at + timedelta(minutes=elapsed),
                    target_minutes=target,
                    elapsed_minutes=elapsed,
                    met=met,
                    month=month_of(ticket.received_at),
                    customer_id=ticket.customer_id,
                    contract_number=ticket.contract_number,
                    service_level_id=ticket.service_level_id,
                    priority=ticket.priority,
                    channel=ticket.channel,
                    device_id=ticket.device_id,
                    site_id=ticket.device.site_id if ticket.device else None,
                )
            )
    ClockResult.objects.bulk_create(results)
    return customers


def nearest_rank(values: list[int], p: int) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * p / 100) - 1]


def brute_force(group_by: str, customer_id=None):
    attribute = Dimension.COLUMNS[group_by]
    expected = defaultdict(
        lambda: {"tickets": 0, "response": [], "restore": [], "not_applicable": 0}
    )
    met = defaultdict(int)
    tickets = Ticket.objects.all()
    if customer_id:
        tickets = tickets.filter(customer_id=customer_id)
    for ticket in tickets.select_related("device"):
        value = (
            (ticket.device.site_id if ticket.device else None)
            if group_by == Dimension.SITE
            else getattr(ticket, attribute)
        )
        key = (month_of(ticket.received_at), str(value or ""))
        expected[key]["tickets"] += 1
        for result in ticket.clock_results.all():
            if result.met is None:
                expected[key]["not_applicable"] += 1
                continue
            expected[key][result.clock].append(result.elapsed_minutes)
            met[(key, result.clock)] += result.met
    return expected, met


@pytest.mark.parametrize("group_by", list(Dimension.COLUMNS))
def test_r5_report_matches_a_brute_force_recount(db, group_by):
    customers = generate()
    for customer_id in (None, customers[1].pk):
        rows = sla_report(ReportQuery(group_by=group_by, customer_id=customer_id))
        expected, met = brute_force(group_by, customer_id)
        assert {(r.month, r.key) for r in rows} == set(expected)
        for row in rows:
            wanted = expected[(row.month, row.key)]
            assert row.tickets == wanted["tickets"]
            assert row.response.not_applicable == wanted["not_applicable"]
            for clock in ("response", "restore"):
                figures, values = getattr(row, clock), wanted[clock]
                assert figures.count == len(values)
                assert figures.met == met[((row.month, row.key), clock)]
                if values:
                    assert figures.median == nearest_rank(values, 50)
                    assert figures.p90 == nearest_rank(values, 90)
                else:
                    assert figures.median is None


def test_r5_month_follows_helsinki_time(db):
    generate()
    july = [r for r in sla_report(ReportQuery(group_by="channel")) if r.month.month == 7]
    edge = Ticket.objects.filter(received_at=datetime.fromisoformat(EDGES[1]))
    assert edge.exists()
    assert (
        sum(r.tickets for r in july)
        == Ticket.objects.filter(
            received_at__gte=datetime(2026, 7, 1, tzinfo=HELSINKI),
            received_at__lt=datetime(2026, 8, 1, tzinfo=HELSINKI),
        ).count()
    )


def test_r5_report_from_real_clocks(levels):
    ticket = make_ticket(
        level=levels["basic"],
        received_at=datetime.fromisoformat("2026-06-22T08:00+03:00"),
        first_response_at=datetime.fromisoformat("2026-06-22T08:40+03:00"),
    )
    record_results(ticket, now=datetime.fromisoformat("2026-06-22T09:00+03:00"))
    [row] = sla_report(ReportQuery(group_by="priority"))
    assert (row.tickets, row.response.count, row.response.median) == (1, 1, 40)
    assert row.response.met_percent == 100.0
    assert row.restore.count == 0


def responded_missed_and_closed_by_the_customer(levels) -> None:
    """Three Basic P2 tickets (response target 3 h): one answered in 40 min, one in 4 h, and one
    the customer closed before anyone answered."""
    opened = datetime.fromisoformat("2026-06-22T08:00+03:00")
    tickets = [
        make_ticket(level=levels["basic"], received_at=opened, first_response_at=after)
        for after in (opened + timedelta(minutes=40), opened + timedelta(hours=4))
    ]
    closed = make_ticket(level=levels["basic"], received_at=opened)
    close_as_customer(closed, at=opened + timedelta(hours=1))
    for ticket in [*tickets, closed]:
        record_results(ticket, now=opened + timedelta(hours=5))


def test_r5_response_met_leaves_out_tickets_the_customer_closed_before_a_response(levels):
    responded_missed_and_closed_by_the_customer(levels)

    [row] = sla_report(ReportQuery(group_by="priority"))

    assert row.tickets == 3
    assert (row.response.count, row.response.met, row.response.not_applicable) == (2, 1, 1)
    assert row.response.met_percent == 50.0
    assert (row.response.median, row.response.p90) == (40, 240)
    assert (row.restore.count, row.restore.met) == (1, 1)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "1 ticket closed by the customer before a response is not counted"),
        ("fi", "pois 1 tukipyyntö, jonka asiakas sulki ennen vastausta"),
    ],
)
def test_r5_report_page_says_how_many_customer_closed_tickets_are_not_counted(
    levels, language, sentence
):
    responded_missed_and_closed_by_the_customer(levels)
    client = Client(headers={"accept-language": language})
    client.force_login(AgentFactory())

    page = client.get(reverse("reports:agent"), {"first": "2026-06", "last": "2026-06"})

    body = " ".join(page.content.decode().split())
    assert sentence in body
    assert "50.0 %" in body or "50,0 %" in body


def excel_rows(response) -> list[list[str]]:
    """Read a CSV download the way Excel does on a double click: UTF-8 only with a byte order
    mark, split on the semicolon (the list separator of locales with a decimal comma)."""
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_r5_csv_leaves_customer_closed_tickets_out_of_response_met_and_counts_them(levels):
    responded_missed_and_closed_by_the_customer(levels)
    client = Client(headers={"accept-language": "en"})
    client.force_login(AgentFactory())

    response = client.get(reverse("reports:agent_csv"), {"first": "2026-06", "last": "2026-06"})

    header, *rows = excel_rows(response)
    [row] = [dict(zip(header, values, strict=True)) for values in rows]
    assert (row["Responses"], row["Response met (%)"]) == ("2", "50.0")
    assert row["Closed before a response"] == "1"


def test_r14_csv_opens_in_columns_in_finnish_excel_with_finnish_headers(levels):
    responded_missed_and_closed_by_the_customer(levels)
    client = Client(headers={"accept-language": "fi"})
    client.force_login(AgentFactory())

    response = client.get(reverse("reports:agent_csv"), {"first": "2026-06", "last": "2026-06"})

    header, row = excel_rows(response)
    assert header[:4] == ["Kuukausi", "Prioriteetti", "Tukipyynnöt", "Vastatut"]
    assert len(row) == len(header) == 15
    assert row[0] == "6/2026"
    # A decimal comma, which Finnish Excel reads as a number.
    assert row[header.index("Vasteaika täyttyi (%)")] == "50,0"


@pytest.fixture
def two_companies(db):
    customers = generate()
    alice, charlie = customers[0], customers[2]
    alice_user = UserFactory(email="alice@alice.example")
    ContactFactory(customer=alice, user=alice_user, email="alice@alice.example")
    return alice, charlie, alice_user


def test_r11_customer_report_shows_own_company_only(client, two_companies):
    alice, charlie, alice_user = two_companies
    client.force_login(alice_user)
    page = client.get(reverse("reports:customer"), {"first": "2026-05", "last": "2026-08"})
    assert page.status_code == 200
    mine = sum(r.tickets for r in page.context["rows"])
    assert mine == Ticket.objects.filter(customer=alice).count()
    # A hand-made customer parameter changes nothing: the company comes from the login.
    forged = client.get(reverse("reports:customer"), {"customer": charlie.pk, "group": "customer"})
    assert forged.status_code == 200
    assert {r.key for r in forged.context["rows"]} <= {"", *{r.key for r in page.context["rows"]}}
    csv_page = client.get(
        reverse("reports:customer_csv"),
        {"customer": charlie.pk, "group": "customer", "first": "2026-05", "last": "2026-08"},
    )
    lines = excel_rows(csv_page)
    assert sum(int(line[2]) for line in lines[1:]) == mine
    assert charlie.name not in csv_page.content.decode()


def test_r11_customer_cannot_open_the_agent_report(client, two_companies):
    _, _, alice_user = two_companies
    client.force_login(alice_user)
    assert client.get(reverse("reports:agent")).status_code == 403
    assert client.get(reverse("reports:agent_csv")).status_code == 403


def test_a_login_without_a_contact_gets_no_customer_report(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("reports:customer")).status_code == 403


def test_agent_report_with_chart_and_csv(client, db):
    generate()
    client.force_login(AgentFactory())
    page = client.get(
        reverse("reports:agent"), {"group": "customer", "first": "2026-05", "last": "2026-08"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body
    assert "<script" not in body.split("</head>")[1]
    assert "Gen 1 Oy" in body
    csv_page = client.get(
        reverse("reports:agent_csv"), {"group": "customer", "first": "2026-05", "last": "2026-08"}
    )
    lines = excel_rows(csv_page)
    assert sum(int(line[2]) for line in lines[1:]) == Ticket.objects.count()


@pytest.mark.parametrize(
    "params",
    [
        {"group": "'; DROP TABLE tickets_ticket; --"},
        {"first": "2026-13", "last": "x"},
        {"first": "2026-08", "last": "2026-05"},
        {"customer": "not-a-number"},
        {"customer": "999999"},
    ],
)
def test_hostile_report_parameters_get_a_clear_page(client, db, params):
    generate(count=30)
    client.force_login(AgentFactory())
    page = client.get(reverse("reports:agent"), params)
    assert page.status_code == 200
    assert page.context["form"].errors
    assert client.get(reverse("reports:agent_csv"), params).status_code == 200


def test_csv_cells_never_become_formulas(client, db):
    generate(count=30)
    Ticket.objects.update(customer=CustomerFactory(name='=HYPERLINK("x")'))
    ClockResult.objects.all().delete()
    client.force_login(AgentFactory())
    content = client.get(
        reverse("reports:agent_csv"), {"group": "customer", "first": "2026-05", "last": "2026-08"}
    ).content.decode()
    assert "'=HYPERLINK" in content
