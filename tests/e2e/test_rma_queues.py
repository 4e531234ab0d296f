"""The overdue-returns queue and the RMA report, on RMAs generated over past weeks (issue 7)."""

from datetime import datetime, timedelta

import pytest
import time_machine

from santacare.accounts.models import User
from santacare.core.time import HELSINKI
from santacare.customers.models import Contact
from santacare.rma import services
from santacare.rma.models import Rma
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel

pytestmark = pytest.mark.e2e

# The whole walk-through runs on this (ticking) clock, the live server's thread included, so the
# generated history is weeks old whatever the real date is.
TODAY = datetime(2026, 11, 24, 12, 0, tzinfo=HELSINKI)


@pytest.fixture
def on_a_fixed_day(settings):
    # The browser keeps its real clock: cookies with an expiry date computed on the travelled
    # clock could be already expired for it, so they last for the browser session instead.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(TODAY, tick=True):
        yield


# (contact, serial, ordered, hours to delivery, promised hours, days to return or None, cancel)
PLAN = [
    ("tekninen@esimerkki.fi", "FOC2233X0AB", (10, 5, 9), 20, 24, 6, False),
    ("tekninen@esimerkki.fi", "FOC2233X0AB", (10, 14, 13), 30, 24, 20, False),  # returned late
    ("tekninen@esimerkki.fi", "JN11AB2C3DEF", (10, 21, 9), 4, 4, None, False),  # overdue
    ("it@toinen.fi", "FDO2544Y1QQ", (10, 28, 11), 22, 24, None, False),  # overdue
    ("it@toinen.fi", "FDO2544Y1QQ", (11, 3, 10), None, 24, None, True),  # cancelled
    ("tekninen@esimerkki.fi", "JN11AB2C3DEF", (11, 18, 9), 5, 4, None, False),  # not yet due
]


def generate_rmas() -> list[Rma]:
    """Each RMA lives its life at the times of the plan (the clock travels; the services refuse
    future and out-of-order times, so the data is what the desk would have recorded)."""
    agent = User.objects.get(email="agentti@santacare.example")
    rmas = []
    for number, (email, serial, ordered, hours, promised, days, cancel) in enumerate(PLAN):
        ordered_at = datetime(2026, *ordered, tzinfo=HELSINKI)
        with time_machine.travel(ordered_at, tick=False):
            ticket = open_ticket(
                TicketRequest(
                    channel=Channel.PHONE,
                    opened_by=agent,
                    contact=Contact.objects.get(email=email),
                    serial_number=serial,
                    description="Power supply dead.",
                    hardware_fault=True,
                    delivery_address="Testikatu 1, 00100 Helsinki",
                    delivery_contact="Vastaanottaja, +358 40 000 0000",
                    acknowledge=False,
                )
            ).ticket
            rma = services.open_rma(
                ticket,
                by=agent,
                part_number="PWR-C1-715WAC=",
                failed_serial=f"LIT{number:05d}PSU",
                promised_at=ordered_at + timedelta(hours=promised),
                vendor_rma_number=f"8841{number:04d}",
            )
            if cancel:
                services.cancel_rma(rma, by=agent, reason="Fault was a loose power cable.")
                rmas.append(rma)
                continue
            services.mark_shipped(
                rma,
                by=agent,
                courier="DHL",
                tracking_code=f"JD{number}",
                replacement_serial=f"LIT{number:05d}NEW",
            )
        delivered_at = ordered_at + timedelta(hours=hours)
        with time_machine.travel(delivered_at, tick=False):
            services.mark_delivered(rma, by=agent)
        if days is not None:
            with time_machine.travel(delivered_at + timedelta(days=days), tick=False):
                services.confirm_return(rma, by=agent, courier_code=f"JJFI{number}")
        rmas.append(rma)
    return rmas


def test_overdue_queue_and_report_show_generated_rmas(
    on_a_fixed_day, new_page, demo_data, login, screenshot
):
    rmas = generate_rmas()
    desk = new_page(locale="en-US", height=700)
    login(desk, "agentti@santacare.example", demo_data)

    desk.goto("/rma/overdue/")
    rows = desk.locator("table.rmas tbody tr")
    assert rows.count() == 2
    assert f"RMA {rmas[2].pk}" in rows.nth(0).inner_text()  # longest overdue first
    assert "Esimerkki Oy" in rows.nth(0).inner_text()
    assert f"RMA {rmas[3].pk}" in rows.nth(1).inner_text()
    assert "Toinen Oy" in rows.nth(1).inner_text()
    assert [rows.nth(n).locator("td").last.inner_text() for n in (0, 1)] == ["22", "11"]
    screenshot(desk, "rma-overdue-queue")

    desk.goto("/rma/report/?year=2026")
    cells = {
        tuple(row.locator("td").all_inner_texts()[:2]): row.locator("td").all_inner_texts()
        for row in desk.locator("table.report tbody tr").all()
    }
    # month, vendor, opened, cancelled, delivered, avg h, as promised, SLA, overdue, late
    assert cells[("10/2026", "Cisco")][2:] == ["3", "0", "3", "24.0", "2 / 3", "2 / 3", "1", "1"]
    assert cells[("10/2026", "Juniper")][2:] == ["1", "0", "1", "4.0", "1 / 1", "1 / 1", "1", "0"]
    assert cells[("11/2026", "Cisco")][2:4] == ["1", "1"]
    assert cells[("11/2026", "Juniper")][2:7] == ["1", "0", "1", "5.0", "0 / 1"]
    screenshot(desk, "rma-report")

    desk.goto("/rma/?overdue=on")
    assert desk.locator("table.rmas tbody tr").count() == 2
