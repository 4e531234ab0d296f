"""Charlie (another company) must never see or touch Alice's things (R11: own company only).

Every portal URL that names a ticket, device or attachment answers Charlie with 404, by id, by
tracking number in any spelling, and by guessing; lists and searches never include Alice's rows.
"""

import pytest

from santacare.tickets.attachments import store_attachment
from santacare.tickets.models import Ticket
from santacare.tickets.tracking import format_tracking_number
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_ticket(alice, alice_device, open_for):
    ticket = open_for(alice, alice_device, description="Alice's secret network plan")
    store_attachment(
        ticket.messages.get(), filename="plan.txt", content_type="text/plain", data=b"secret"
    )
    return ticket


def test_charlie_gets_404_for_every_url_of_alices_ticket(charlie_client, alices_ticket):
    number = alices_ticket.tracking_number
    attachment = alices_ticket.messages.get().attachments.get()
    for spelling in (number, number.lower(), number.replace("-", "- ")):
        base = f"/portal/tickets/{spelling}/"
        assert charlie_client.get(base).status_code == 404, spelling
        assert charlie_client.post(base + "reply/", {"body": "hi"}).status_code == 404
        assert charlie_client.post(base + "status/", {"action": "close"}).status_code == 404
    assert charlie_client.get(f"/portal/attachments/{attachment.pk}/").status_code == 404
    alices_ticket.refresh_from_db()
    assert alices_ticket.messages.count() == 1
    assert alices_ticket.status != Ticket.Status.CLOSED


def test_charlie_gets_404_for_alices_device(charlie_client, alice_device):
    serial = alice_device.serial_number
    assert charlie_client.get(f"/portal/devices/{serial}/new/").status_code == 404
    assert charlie_client.get(f"/portal/devices/{serial}/phone-check/").status_code == 404


def test_guessed_ticket_numbers_and_attachment_ids_are_404(charlie_client, alices_ticket):
    for value in range(100000, 100010):
        number = format_tracking_number(value)
        assert charlie_client.get(f"/portal/tickets/{number}/").status_code == 404
    for guess in ("SC-1", "1", "../1", "%00", "<script>"):
        assert charlie_client.get(f"/portal/tickets/{guess}/").status_code == 404
    for pk in range(1, 20):
        assert charlie_client.get(f"/portal/attachments/{pk}/").status_code == 404


def test_charlies_lists_and_searches_never_show_alices_tickets(
    charlie_client, alices_ticket, alice_device
):
    for query in (alices_ticket.tracking_number, alice_device.serial_number, "secret", ""):
        response = charlie_client.get("/portal/tickets/", {"status": "all", "q": query})
        assert response.context["tickets"] == []
        assert "secret network plan" not in response.content.decode()
    devices = charlie_client.get("/portal/devices/", {"q": alice_device.serial_number})
    assert devices.context["items"] == []
    assert charlie_client.get("/portal/").context["open_count"] == 0


def test_a_colleague_at_alices_company_sees_the_ticket(client, alice, alices_ticket):
    colleague = ContactFactory(customer=alice.customer)
    colleague.user = UserFactory(email=colleague.email)
    colleague.save(update_fields=["user"])
    client.force_login(colleague.user)

    assert client.get(f"/portal/tickets/{alices_ticket.tracking_number}/").status_code == 200


def test_an_end_user_with_a_login_is_kept_out(client, alice):
    end_user = ContactFactory(customer=alice.customer, is_technical=False)
    end_user.user = UserFactory(email=end_user.email)
    end_user.save(update_fields=["user"])
    client.force_login(end_user.user)

    assert client.get("/portal/").status_code == 403
    assert client.get("/portal/devices/").status_code == 403


def test_a_login_without_a_contact_is_kept_out(client):
    client.force_login(UserFactory())

    assert client.get("/portal/tickets/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, alices_ticket):
    response = client.get(f"/portal/tickets/{alices_ticket.tracking_number}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_agents_are_sent_to_the_desk(client):
    from tests.factories import AgentFactory

    client.force_login(AgentFactory())

    assert client.get("/portal/")["Location"] == "/desk/"


def test_script_in_a_ticket_is_shown_as_text_everywhere(
    alice_client, alice, alice_device, open_for
):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    ticket = open_for(alice, alice_device, description=hostile, subject=hostile)

    for url in ("/portal/", "/portal/tickets/", f"/portal/tickets/{ticket.tracking_number}/"):
        text = alice_client.get(url).content.decode()
        assert "<script>alert(1)" not in text, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url


def test_pages_carry_csp_and_forms_need_csrf(alice, alice_device, open_for):
    from django.test import Client

    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice.user)
    ticket = open_for(alice, alice_device)

    page = strict.get(f"/portal/tickets/{ticket.tracking_number}/")
    forged = strict.post(f"/portal/tickets/{ticket.tracking_number}/reply/", {"body": "forged"})

    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert forged.status_code == 403
    assert ticket.messages.count() == 1


def test_charlies_sla_report_has_nothing_of_alices(charlie_client, alices_ticket, alice_device):
    """R5 reports are per company: Charlie's report and CSV never mention Alice's contract."""
    page = charlie_client.get("/reports/mine/")
    csv = charlie_client.get("/reports/mine/sla.csv")

    for response in (page, csv):
        assert response.status_code == 200
        assert alice_device.contract.number not in response.content.decode()
