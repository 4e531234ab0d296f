import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from santacare.installbase.models import Device
from santacare.rma import services
from santacare.rma.models import Rma
from santacare.rma.queries import (
    desk_rmas,
    overdue_returns,
    rmas_for_ticket,
    vendor_month_report,
)
from santacare.sla.services import seed_default_targets
from tests.factories import ContactFactory, DeviceFactory, UserFactory

from .conftest import VALID_AROUND_FIXED_NOW, at, deliver, hardware_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sessions_outlive_the_travelling_clock(settings):
    # The tests jump days ahead; a portal session lasts a working day (settings).
    settings.SESSION_COOKIE_AGE = 400 * 24 * 3600


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def alice_client(client, alice_user):
    client.force_login(alice_user)
    return client


@pytest.fixture
def pending(ticket, open_rma, agent, clock):
    rma = open_rma()
    deliver(rma, agent, clock, shipped=at(1, 12), delivered=at(1, 15))
    return rma


def test_agent_opens_an_rma_from_the_ticket(agent_client, ticket, cisco):
    url = reverse("rma:create", args=[ticket.tracking_number])
    page = agent_client.get(url)
    assert page.status_code == 200
    assert "FOC2233X0AB" in page.text

    response = agent_client.post(
        url,
        {
            "part_number": "c9300-48p-e",
            "part_description": "Catalyst 9300",
            "source": "vendor_advance",
            "vendor": cisco.pk,
            "failed_serial": "FOC2233X0AB",
            "promised_at": "2026-12-02T16:00",
            "vendor_rma_number": "88412345",
        },
    )

    rma = Rma.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("rma:detail", args=[rma.pk])
    assert rma.part_number == "C9300-48P-E"
    assert rma.promised_at == at(2, 16)  # the form is read in Helsinki time
    assert rma.opened_by.email == "agentti@santacare.example"


def test_the_create_view_takes_the_tracking_number_in_any_case(agent_client, ticket):
    url = reverse("rma:create", args=[ticket.tracking_number.lower()])
    assert agent_client.get(url).status_code == 200


def test_r9_create_view_explains_a_refusal_and_records_nothing(
    agent_client, clock, alice, alice_device, cisco
):
    ticket = hardware_ticket(alice, alice_device.serial_number, hardware_fault=False)
    response = agent_client.post(
        reverse("rma:create", args=[ticket.tracking_number]),
        {"part_number": "C9300-48P-E", "source": "vendor_advance", "vendor": cisco.pk},
    )
    assert response.status_code == 400
    assert "no suspected hardware fault" in response.text
    assert not Rma.objects.exists()


def test_unknown_part_number_is_shown_at_the_field(agent_client, ticket, cisco):
    response = agent_client.post(
        reverse("rma:create", args=[ticket.tracking_number]),
        {"part_number": "<script>x</script>", "source": "vendor_advance", "vendor": cisco.pk},
    )
    assert response.status_code == 400
    assert "Unknown part number" in response.text
    assert "<script>x" not in response.text
    assert not Rma.objects.exists()


def test_agent_walks_the_rma_through_its_actions(agent_client, ticket, open_rma, clock, alice):
    rma = open_rma()
    clock.move_to(at(2, 9))
    steps = [
        ("ship", {"courier": "DHL", "tracking_code": "JD1", "replacement_serial": "FOC9999X0NE"}),
        ("deliver", {}),
        ("sent_back", {"courier_code": "JJFI1"}),
        ("received", {}),
        ("close", {}),
    ]
    for name, data in steps:
        response = agent_client.post(
            reverse("rma:action", args=[rma.pk, name]),
            {f"{name}-{key}": value for key, value in data.items()},
        )
        assert response.status_code == 302, (name, response.content)
    rma.refresh_from_db()
    assert rma.status == Rma.Status.CLOSED
    assert Device.objects.get(pk=rma.device_id).serial_number == "FOC9999X0NE"
    page = agent_client.get(reverse("rma:detail", args=[rma.pk]))
    assert "FOC2233X0AB" in page.text
    assert reverse("rma:device_history", args=[rma.device_id]) in page.text


def test_dates_in_the_wrong_order_are_refused_in_the_form(agent_client, ticket, open_rma, clock):
    rma = open_rma()
    response = agent_client.post(
        reverse("rma:action", args=[rma.pk, "ship"]),
        {
            "ship-courier": "DHL",
            "ship-tracking_code": "JD1",
            "ship-replacement_serial": "FOC9999X0NE",
            "ship-shipped_at": "2026-11-30T10:00",
        },
    )
    assert response.status_code == 400
    assert "before the previous step" in response.text
    rma.refresh_from_db()
    assert rma.status == Rma.Status.REQUESTED


def test_an_action_not_allowed_now_is_refused_clearly(agent_client, ticket, open_rma):
    rma = open_rma()
    response = agent_client.post(reverse("rma:action", args=[rma.pk, "close"]), {})
    assert response.status_code == 400
    assert "changed meanwhile" in response.text
    assert agent_client.post(reverse("rma:action", args=[rma.pk, "explode"])).status_code == 404


def test_the_device_history_shows_the_swap(agent_client, pending):
    page = agent_client.get(reverse("rma:device_history", args=[pending.device_id]))
    assert page.status_code == 200
    assert "FOC2233X0AB" in page.text
    assert "FOC9999X0NE" in page.text


@pytest.mark.parametrize(
    "name", ["rma:list", "rma:overdue", "rma:report"], ids=["list", "overdue", "report"]
)
def test_r11_desk_rma_pages_are_for_agents_only(client, alice_user, name):
    assert client.get(reverse(name)).status_code == 302  # to the login page
    client.force_login(alice_user)
    assert client.get(reverse(name)).status_code == 403


def test_r11_customers_cannot_open_or_move_rmas(client, alice_user, ticket, open_rma):
    rma = open_rma()
    client.force_login(alice_user)
    assert client.get(reverse("rma:create", args=[ticket.tracking_number])).status_code == 403
    assert client.post(reverse("rma:action", args=[rma.pk, "cancel"])).status_code == 403


def make_rmas(count, *, agent, clock, vendor, customer):
    """`count` delivered RMAs, their returns overdue by the 14th."""
    contact = ContactFactory(customer=customer)
    rmas = []
    for number in range(count):
        device = DeviceFactory(customer=customer, vendor=vendor, **VALID_AROUND_FIXED_NOW)
        clock.move_to(at(1, 10))
        ticket = hardware_ticket(contact, device.serial_number)
        rma = services.open_rma(ticket, by=agent, part_number="C9300-48P-E", vendor_rma_number="1")
        deliver(
            rma, agent, clock, shipped=at(1, 11), delivered=at(1, 12), serial=f"NEW{number:05d}"
        )
        rmas.append(rma)
    clock.move_to(at(14, 9))
    return rmas


@pytest.mark.parametrize("count", [1, 3])
def test_the_rma_list_costs_the_same_for_one_or_three_rows(
    agent_client, agent, clock, cisco, alice, count, django_assert_num_queries
):
    make_rmas(count, agent=agent, clock=clock, vendor=cisco, customer=alice.customer)
    # session, user, the page of RMAs (with ticket, customer, vendor), the vendor filter choices
    with django_assert_num_queries(4):
        response = agent_client.get(reverse("rma:list"))
    assert response.status_code == 200
    assert response.text.count("<tr>") == count + 1  # the header row and one per RMA


@pytest.mark.parametrize("count", [1, 3])
def test_the_overdue_queue_costs_the_same_for_one_or_three_rows(
    agent_client, agent, clock, cisco, alice, count, django_assert_num_queries
):
    rmas = make_rmas(count, agent=agent, clock=clock, vendor=cisco, customer=alice.customer)
    with django_assert_num_queries(3):
        response = agent_client.get(reverse("rma:overdue"))
    for rma in rmas:
        assert reverse("rma:detail", args=[rma.pk]) in response.text


def test_the_overdue_queue_shows_only_overdue_returns(agent_client, agent, clock, cisco, alice):
    overdue, returned, also_overdue = make_rmas(
        3, agent=agent, clock=clock, vendor=cisco, customer=alice.customer
    )
    services.confirm_return(returned, by=agent, courier_code="JJFI1")
    clock.move_to(at(1, 10))
    device = DeviceFactory(customer=alice.customer, vendor=cisco, **VALID_AROUND_FIXED_NOW)
    not_due = services.open_rma(
        hardware_ticket(alice, device.serial_number), by=agent, part_number="C9300-48P-E"
    )
    clock.move_to(at(14, 9))

    page = agent_client.get(reverse("rma:overdue")).text

    assert reverse("rma:detail", args=[overdue.pk]) in page
    assert reverse("rma:detail", args=[also_overdue.pk]) in page
    assert reverse("rma:detail", args=[returned.pk]) not in page
    assert reverse("rma:detail", args=[not_due.pk]) not in page


def test_list_pages_follow_the_keyset_and_survive_a_broken_cursor(
    agent_client, agent, clock, cisco, alice
):
    rmas = make_rmas(3, agent=agent, clock=clock, vendor=cisco, customer=alice.customer)
    first = desk_rmas(limit=2)
    second = desk_rmas(limit=2, after=first.next_cursor)
    assert [r.pk for r in first.items + second.items] == [r.pk for r in reversed(rmas)]
    assert second.next_cursor is None
    late_first = overdue_returns(today=at(14, 9).date(), limit=2)
    late_second = overdue_returns(today=at(14, 9).date(), limit=2, after=late_first.next_cursor)
    assert len(late_first.items + late_second.items) == 3

    for bad in ["x", "2026-13-01|1", "|", "2026-12-01T10:00|abc", "'; DROP TABLE rma_rma; --"]:
        assert agent_client.get(reverse("rma:list"), {"after": bad}).status_code == 200
        assert agent_client.get(reverse("rma:overdue"), {"after": bad}).status_code == 200
    assert agent_client.get(reverse("rma:list"), {"vendor": "999999"}).status_code == 200
    assert agent_client.get(reverse("rma:report"), {"year": "<b>"}).status_code == 200


def test_the_list_filters(agent_client, agent, clock, cisco, alice):
    overdue, returned = make_rmas(
        2, agent=agent, clock=clock, vendor=cisco, customer=alice.customer
    )
    services.confirm_return(returned, by=agent, courier_code="JJFI1")

    def shown(**query):
        page = agent_client.get(reverse("rma:list"), query).text
        return {rma.pk for rma in (overdue, returned) if f'href="/rma/{rma.pk}/"' in page}

    assert shown() == {overdue.pk, returned.pk}
    assert shown(status="returned") == {returned.pk}
    assert shown(overdue="on") == {overdue.pk}
    assert shown(serial=overdue.failed_serial.lower()) == {overdue.pk}
    assert shown(customer="nobody") == set()


def test_the_report_counts_per_vendor_and_month(agent_client, agent, clock, cisco, alice):
    overdue, returned_late = make_rmas(
        2, agent=agent, clock=clock, vendor=cisco, customer=alice.customer
    )
    seed_default_targets()
    services.confirm_return(returned_late, by=agent, courier_code="JJFI1")

    [row] = vendor_month_report(
        start=at(1, 0).date().replace(month=1), end=at(1, 0).date().replace(year=2027, month=1),
        today=at(14, 9).date(),
    )  # fmt: skip
    assert (row.vendor, row.month.isoformat()) == ("Cisco", "2026-12-01")
    assert (row.opened, row.delivered, row.overdue_now, row.returned_late) == (2, 2, 1, 1)
    assert row.average_delivery_hours == 2.0
    assert (row.sla_met, row.sla_measured) == (2, 2)  # next business day, delivered the same day

    page = agent_client.get(reverse("rma:report"), {"year": 2026})
    assert page.status_code == 200
    assert "Cisco" in page.text


def test_r13_customer_sees_the_return_instructions_and_confirms(alice_client, pending, ticket):
    url = reverse("rma:customer_ticket", args=[ticket.tracking_number])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert "Pakkaa viallinen laite" in page.text  # the vendor's Finnish text on a Finnish page
    assert "Pack the failed unit" not in page.text
    assert "88412345" in page.text

    response = alice_client.post(
        reverse("rma:confirm_return", args=[pending.pk]),
        {"courier_code": "JJFI6401234567", "next": url},
    )
    assert response.status_code == 302
    assert response.url == url
    pending.refresh_from_db()
    assert pending.status == Rma.Status.RETURNED
    assert pending.return_courier_code == "JJFI6401234567"

    again = alice_client.post(
        reverse("rma:confirm_return", args=[pending.pk]),
        {"courier_code": "OTHER", "next": url},
        follow=True,
    )
    assert "already confirmed" in again.text or "jo vahvistettu" in again.text
    pending.refresh_from_db()
    assert pending.return_courier_code == "JJFI6401234567"


def test_r11_another_company_gets_404_and_changes_nothing(client, charlie, pending, ticket):
    charlie.user = UserFactory(email=charlie.email)
    charlie.save()
    client.force_login(charlie.user)
    url = reverse("rma:customer_ticket", args=[ticket.tracking_number])
    assert client.get(url).status_code == 404
    assert client.get(reverse("rma:customer_ticket", args=["SC-999999"])).status_code == 404
    response = client.post(reverse("rma:confirm_return", args=[pending.pk]), {"courier_code": "X"})
    assert response.status_code == 404
    assert client.post(reverse("rma:confirm_return", args=[999999])).status_code == 404
    pending.refresh_from_db()
    assert pending.status == Rma.Status.RETURN_PENDING


def test_confirm_return_never_redirects_off_site_and_escapes_input(alice_client, pending, ticket):
    response = alice_client.post(
        reverse("rma:confirm_return", args=[pending.pk]),
        {"courier_code": "<script>alert(1)</script>", "next": "https://evil.example/"},
    )
    assert response.url == reverse("rma:customer_ticket", args=[ticket.tracking_number])
    page = alice_client.get(response.url)
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in page.text


def test_empty_courier_code_is_asked_for(alice_client, pending):
    response = alice_client.post(
        reverse("rma:confirm_return", args=[pending.pk]), {"courier_code": "  "}, follow=True
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Rma.Status.RETURN_PENDING


def test_the_includes_for_the_portal_and_the_desk_render_the_ticket_rmas(
    rf, alice_user, agent, pending, ticket
):
    """The contract with the portal's and the desk's ticket pages (see the templates' heads)."""
    rmas = rmas_for_ticket(ticket)
    request = rf.get(f"/portal/tickets/{ticket.tracking_number}/")
    request.user = alice_user
    portal = render_to_string(
        "rma/_portal_panel.html", {"ticket": ticket, "rmas": rmas}, request=request
    )
    assert reverse("rma:confirm_return", args=[pending.pk]) in portal
    assert f'value="/portal/tickets/{ticket.tracking_number}/"' in portal
    assert "Pakkaa viallinen laite" in portal

    desk = render_to_string("rma/_desk_panel.html", {"ticket": ticket, "rmas": rmas})
    assert reverse("rma:detail", args=[pending.pk]) in desk
    assert reverse("rma:create", args=[ticket.tracking_number]) in desk
    assert render_to_string("rma/_portal_panel.html", {"ticket": ticket, "rmas": []}).strip() == ""


def _with_stored_number(ticket, number: str):
    """A ticket whose stored number fails the check digit, as one carried over from an older
    system would: only the check digit can tell a mistyped number from it."""
    ticket.tracking_number = number
    ticket.save(update_fields=["tracking_number"])
    return ticket


def test_r12_rma_pages_refuse_a_tracking_number_with_a_wrong_check_digit(
    agent_client, client, ticket, alice_user
):
    from santacare.tickets.tracking import is_valid

    number = next(f"SC-{n}" for n in range(100000, 100100) if not is_valid(str(n)))
    _with_stored_number(ticket, number)

    agent_page = agent_client.get(reverse("rma:create", args=[number]))
    client.force_login(alice_user)
    customer_page = client.get(reverse("rma:customer_ticket", args=[number]))

    assert agent_page.status_code == 404
    assert customer_page.status_code == 404


def test_r12_rma_pages_accept_the_number_as_typed_in_any_case(agent_client, ticket):
    page = agent_client.get(reverse("rma:create", args=[ticket.tracking_number.lower()]))

    assert page.status_code == 200
    assert page.context["ticket"] == ticket


def test_r14_an_rma_refusal_is_told_in_the_readers_language(pending, alice_user, client):
    services.confirm_return(pending, by=pending.opened_by, courier_code="JJFI1")
    client.force_login(alice_user)
    url = reverse("rma:customer_ticket", args=[pending.ticket.tracking_number])

    client.post(
        reverse("rma:confirm_return", args=[pending.pk]),
        {"courier_code": "JJFI2", "next": url},
        headers={"accept-language": "fi"},
    )
    page = client.get(url, headers={"accept-language": "fi"}).content.decode()

    assert "Palautus on jo vahvistettu" in page


@pytest.mark.parametrize("count", [1, 3])
def test_rma_list_queries_do_not_grow_with_rows(
    agent_client, agent, clock, cisco, alice, django_assert_num_queries, count
):
    make_rmas(count, agent=agent, clock=clock, vendor=cisco, customer=alice.customer)
    first = desk_rmas(limit=2)
    cursor = first.next_cursor or ""

    # session, user, vendor choices of the filter form, one page of RMAs
    with django_assert_num_queries(4):
        response = agent_client.get(reverse("rma:list"), {"after": cursor} if cursor else {})
    assert len(response.context["rmas"]) == (count - 2 if cursor else count)
