"""The walk-through of issue 7 (R13) in a real browser, on the demo data set."""

import pytest

from santacare.customers.models import Contact
from santacare.installbase.models import Device
from santacare.rma.models import DeviceSwap, Rma
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Event

pytestmark = pytest.mark.e2e


def test_r13_replacement_out_and_failed_unit_back_to_the_vendor(
    new_page, demo_data, login, screenshot
):
    result = open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=Contact.objects.get(email="tekninen@esimerkki.fi"),
            serial_number="FOC2233X0AB",
            description="Kytkin ei käynnisty, virtalähteen LED ei pala.",
            hardware_fault=True,
            delivery_address="Esimerkki Oy\nEsimerkkikatu 1\n00100 Helsinki",
            delivery_contact="Teemu Tekninen, +358 40 111 2222",
        )
    )
    tracking_number = result.tracking_number

    # The agent opens the RMA from the ticket's workspace, ships the replacement and records
    # the delivery.
    desk = new_page(locale="en-US")
    login(desk, "agentti@santacare.example", demo_data)
    desk.goto(f"/desk/t/{tracking_number}/")
    desk.get_by_role("link", name="Start an RMA").click()
    desk.wait_for_url(f"**/rma/new/{tracking_number}/")
    desk.locator("input[name=part_number]").fill("C9300-48P-E")
    assert desk.locator("select[name=vendor] option:checked").inner_text() == "Cisco"
    desk.locator("input[name=vendor_rma_number]").fill("88412345")
    screenshot(desk, "rma-open")
    desk.get_by_role("button", name="Open the RMA").click()
    desk.wait_for_url("**/rma/*/")
    rma = Rma.objects.get(ticket__tracking_number=tracking_number)

    desk.locator("input[name=ship-courier]").fill("DHL Express")
    desk.locator("input[name=ship-tracking_code]").fill("JD014600012345678")
    desk.locator("input[name=ship-replacement_serial]").fill("FOC2401Y1NW")
    desk.get_by_role("button", name="Mark shipped").click()
    desk.get_by_role("button", name="Mark delivered").wait_for()
    screenshot(desk, "rma-shipped")
    desk.get_by_role("button", name="Mark delivered").click()
    desk.locator("h1", has_text="Return pending").wait_for()
    screenshot(desk, "rma-delivered")

    # The customer sees the vendor's return instructions on the portal's ticket page and
    # confirms the return (in Finnish).
    portal = new_page()
    login(portal, "tekninen@esimerkki.fi", demo_data)
    portal.goto(f"/portal/tickets/{tracking_number}/")
    panel = portal.locator(".rma-panel")
    assert "Odottaa palautusta" in panel.inner_text()
    # The vendor's instructions in the page's language (R13): Finnish here.
    assert "kirjoita Ciscon RMA-numero pakettiin" in panel.inner_text()
    assert "88412345" in panel.inner_text()
    screenshot(portal, "rma-portal-return-instructions")
    panel.locator("input[name=courier_code]").fill("JJFI64012345678")
    panel.get_by_role("button", name="Olen palauttanut sen").click()
    portal.locator(".messages", has_text="palautus on kirjattu").wait_for()
    assert "JJFI64012345678" in panel.inner_text()
    screenshot(portal, "rma-portal-returned")

    # The agent sees it returned; the install base has the new serial, the old one in history.
    desk.reload()
    heading = desk.locator("h1").inner_text()
    assert "Failed unit sent back" in heading
    assert "JJFI64012345678" in desk.content()
    screenshot(desk, "rma-agent-sees-returned")
    desk.goto(f"/desk/t/{tracking_number}/")
    assert "Failed unit sent back" in desk.locator(".rma-desk-panel").inner_text()
    screenshot(desk, "rma-desk-workspace")
    desk.go_back()
    desk.get_by_role("link", name="Device history").click()
    desk.locator("text=FOC2233X0AB").first.wait_for()
    screenshot(desk, "rma-device-history")

    device = Device.objects.get(pk=rma.device_id)
    assert device.serial_number == "FOC2401Y1NW"
    assert DeviceSwap.objects.get(device=device).old_serial == "FOC2233X0AB"
    assert list(
        Event.objects.filter(ticket=rma.ticket, kind="rma_changed").values_list(
            "data__new", flat=True
        )
    ) == ["requested", "shipped", "delivered", "return_pending", "returned"]
