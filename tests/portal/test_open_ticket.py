"""Opening a ticket from a device in the portal (R3, R8, R9, R10) and its hostile variants."""

from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from santacare.core.time import HELSINKI
from santacare.installbase.models import Contract
from santacare.tickets.models import Attachment, Ticket
from tests.factories import AgentFactory, ContractFactory, DeviceFactory

pytestmark = pytest.mark.django_db

# A Tuesday afternoon and a Tuesday night in Helsinki, for the office-hours rule of R8.
OFFICE_HOURS = datetime(2026, 3, 10, 10, 0, tzinfo=HELSINKI)
NIGHT = datetime(2026, 3, 10, 22, 0, tzinfo=HELSINKI)


def url(device):
    return f"/portal/devices/{device.serial_number}/new/"


def form(device, **fields):
    return {"serial_number": device.serial_number, "priority": "P3", **fields}


def test_r3_the_form_shows_the_device_from_the_install_base(alice_client, alice_device):
    response = alice_client.get(url(alice_device))

    text = response.content.decode()
    assert response.status_code == 200
    for value in (
        alice_device.serial_number,
        alice_device.device_type,
        alice_device.contract.number,
        alice_device.contract.service_level.name,
    ):
        assert value in text
    # R9: the delivery address is pre-filled from the device's site, the contact from the user.
    assert alice_device.site.street_address in text
    assert "Tekninen Henkilö" in text


def test_r3_a_ticket_opened_from_a_device_carries_its_snapshot(alice_client, alice, alice_device):
    with time_machine.travel(OFFICE_HOURS, tick=False):
        response = alice_client.post(url(alice_device), form(alice_device, description="Port 3"))

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.tracking_number}/"
    assert ticket.channel == "portal"
    assert ticket.contact == alice
    assert ticket.serial_number == alice_device.serial_number
    assert ticket.contract_number == alice_device.contract.number
    assert ticket.service_level_name == alice_device.contract.service_level.name


def test_r9_a_missing_description_is_a_field_error_and_nothing_is_stored(
    alice_client, alice_device
):
    response = alice_client.post(url(alice_device), form(alice_device, description="  "))

    assert response.status_code == 200
    assert response.context["form"].errors["description"]
    text = response.content.decode()
    # Accessible errors: the field is marked invalid and points at its message.
    assert 'aria-invalid="true"' in text
    assert 'aria-describedby="id_description_helptext id_description_error"' in text
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Korjaa seuraavat kohdat"), ("en", "Please correct the following")],
)
def test_r9_errors_are_summed_up_at_the_top_and_the_summary_takes_focus(
    alice_client, alice_device, language, heading
):
    response = alice_client.post(
        url(alice_device),
        form(alice_device, description="  "),
        headers={"accept-language": language},
    )

    text = response.content.decode()
    summary = text.split('<div class="error-summary"')[1].split("</div>")[0]
    form_start = text.index('class="card ticket-form"')
    assert form_start < text.index('class="error-summary"') < text.index('id="id_description"')
    assert f'tabindex="-1" autofocus>{heading}</h2>' in summary
    assert 'href="#id_description"' in summary
    # Only one element asks for focus, so the summary gets it.
    assert text.count("autofocus") == 1


def test_r9_a_hardware_fault_needs_delivery_address_and_contact(alice_client, alice_device):
    response = alice_client.post(
        url(alice_device),
        form(alice_device, description="PSU dead", hardware_fault="on", delivery_address=""),
    )

    errors = response.context["form"].errors
    assert "delivery_address" in errors
    assert "delivery_contact" in errors
    assert not Ticket.objects.exists()


def test_r9_a_hardware_fault_with_delivery_details_is_stored(alice_client, alice_device):
    with time_machine.travel(OFFICE_HOURS, tick=False):
        alice_client.post(
            url(alice_device),
            form(
                alice_device,
                description="PSU dead",
                hardware_fault="on",
                delivery_address="Alice Oy\nTestikatu 1\n00100 Helsinki",
                delivery_contact="Alice, +358 40 1",
            ),
        )

    ticket = Ticket.objects.get()
    assert ticket.hardware_fault
    assert ticket.delivery_address.startswith("Alice Oy")
    assert ticket.missing_information == []


def test_r8_critical_is_saved_and_the_page_says_to_call(alice_client, alice_device, settings):
    with time_machine.travel(OFFICE_HOURS, tick=False):
        response = alice_client.post(
            url(alice_device), form(alice_device, priority="P1", description="All down <b>now</b>")
        )

    text = response.content.decode()
    ticket = Ticket.objects.get()
    assert response.status_code == 200
    assert settings.SUPPORT_PHONE in text
    assert ticket.phone_call_required
    # What was typed is kept and shown back, escaped.
    assert "All down &lt;b&gt;now&lt;/b&gt;" in text
    assert ticket.tracking_number in text


def test_r8_the_phone_check_shows_the_number_for_critical(alice_client, alice_device, settings):
    with time_machine.travel(OFFICE_HOURS, tick=False):
        check = f"/portal/devices/{alice_device.serial_number}/phone-check/"
        critical = alice_client.get(check, {"priority": "P1"}, headers={"hx-request": "true"})
        normal = alice_client.get(check, {"priority": "P3"}, headers={"hx-request": "true"})

    assert settings.SUPPORT_PHONE in critical.content.decode()
    assert settings.SUPPORT_PHONE not in normal.content.decode()


def test_r8_advanced_outside_office_hours_shows_the_number_before_sending(
    alice_client, alice_advanced_device, settings
):
    with time_machine.travel(NIGHT, tick=False):
        at_night = alice_client.get(url(alice_advanced_device))
    with time_machine.travel(OFFICE_HOURS, tick=False):
        by_day = alice_client.get(url(alice_advanced_device))

    assert 'class="phone-notice"' in at_night.content.decode()
    assert 'class="phone-notice"' not in by_day.content.decode()


def test_r8_advanced_outside_office_hours_is_saved_and_flagged(
    alice_client, alice_advanced_device, settings
):
    with time_machine.travel(NIGHT, tick=False):
        response = alice_client.post(
            url(alice_advanced_device), form(alice_advanced_device, description="Slow links")
        )

    assert settings.SUPPORT_PHONE in response.content.decode()
    assert Ticket.objects.get().phone_call_required


def test_r10_a_managed_services_device_shows_the_noc_instead_of_the_form(
    alice_client, alice, settings
):
    contract = ContractFactory(
        customer=alice.customer, product=Contract.Product.MANAGED_SERVICES, service_level=None
    )
    device = DeviceFactory(customer=alice.customer, contract=contract)

    page = alice_client.get(url(device))
    posted = alice_client.post(url(device), form(device, description="VPN down"))

    assert settings.NOC_PHONE in page.content.decode()
    assert 'name="description"' not in page.content.decode()
    assert settings.NOC_PHONE in posted.content.decode()
    assert not Ticket.objects.exists()


def test_r1_an_expired_contract_gets_an_explanation_not_a_form(alice_client, alice):
    contract = ContractFactory(
        customer=alice.customer,
        valid_from=datetime(2020, 1, 1).date(),
        valid_to=datetime(2021, 1, 1).date(),
    )
    device = DeviceFactory(customer=alice.customer, contract=contract)

    response = alice_client.post(url(device), form(device, description="Broken"))

    assert response.status_code == 200
    assert 'name="description"' not in response.content.decode()
    assert not Ticket.objects.exists()


def test_r15_an_expired_contract_names_the_sdm_with_phone_and_email(alice_client, alice):
    alice.customer.service_delivery_manager = AgentFactory(
        full_name="Sami Palvelupäällikkö", phone="+358 40 555 0123", email="sami@santacare.example"
    )
    alice.customer.save()
    contract = ContractFactory(
        customer=alice.customer,
        valid_from=datetime(2020, 1, 1).date(),
        valid_to=datetime(2021, 1, 1).date(),
    )
    device = DeviceFactory(customer=alice.customer, contract=contract)

    page = alice_client.get(url(device)).content.decode()

    assert "Sami Palvelupäällikkö" in page
    assert 'href="tel:+358405550123"' in page
    assert 'href="mailto:sami@santacare.example"' in page


def test_another_companys_device_is_not_found(alice_client, charlie_device):
    assert alice_client.get(url(charlie_device)).status_code == 404
    response = alice_client.post(url(charlie_device), form(charlie_device, description="x"))
    assert response.status_code == 404
    assert not Ticket.objects.exists()


def test_a_tampered_hidden_serial_is_refused(alice_client, alice_device, charlie_device):
    response = alice_client.post(
        url(alice_device),
        {"serial_number": charlie_device.serial_number, "priority": "P3", "description": "x"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Ticket.objects.exists()


def test_a_tampered_priority_is_a_field_error(alice_client, alice_device):
    response = alice_client.post(
        url(alice_device), form(alice_device, priority="P0", description="x")
    )

    assert "priority" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_search_by_serial_leads_to_the_form(alice_client, alice_device, charlie_device):
    found = alice_client.get("/portal/tickets/new/", {"serial_number": "foc2233x0ab "})
    other = alice_client.get(
        "/portal/tickets/new/", {"serial_number": charlie_device.serial_number}
    )

    assert found.status_code == 302
    assert found["Location"] == url(alice_device)
    assert other.status_code == 200
    assert other.context["form"].errors["serial_number"]


def test_r9_an_oversized_attachment_is_refused_by_name_and_the_ticket_kept(
    alice_client, alice_device, settings
):
    """Hostile upload on the new-ticket form: the file is refused before it is read, the ticket
    and its description are stored, and the customer is told which file was left out."""
    settings.SANTACARE_MAX_ATTACHMENT_BYTES = 10
    big = SimpleUploadedFile("huge.log", b"x" * 11, "text/plain")
    with time_machine.travel(OFFICE_HOURS, tick=False):
        response = alice_client.post(
            url(alice_device),
            {**form(alice_device, description="Port 3 flaps"), "files": [big]},
            follow=True,
        )

    ticket = Ticket.objects.get()
    assert ticket.description == "Port 3 flaps"
    assert not Attachment.objects.exists()
    assert "huge.log" in response.content.decode()


def test_r9_more_files_than_allowed_is_a_field_error_and_nothing_is_stored(
    alice_client, alice_device
):
    uploads = [SimpleUploadedFile(f"log{n}.txt", b"log", "text/plain") for n in range(6)]
    with time_machine.travel(OFFICE_HOURS, tick=False):
        response = alice_client.post(
            url(alice_device),
            {**form(alice_device, description="Port 3 flaps"), "files": uploads},
            headers={"accept-language": "en"},
        )

    assert response.status_code == 200
    assert "At most 5 files per message." in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_r9_a_script_named_html_attachment_is_kept_as_a_file_not_served_as_a_page(
    alice_client, alice_device
):
    upload = SimpleUploadedFile(
        "<img src=x onerror=alert(1)>.html", b"<script>x</script>", "text/html"
    )
    with time_machine.travel(OFFICE_HOURS, tick=False):
        alice_client.post(
            url(alice_device),
            {**form(alice_device, description="Port 3 flaps"), "files": [upload]},
        )

    attachment = Attachment.objects.get()
    download = alice_client.get(f"/portal/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert download["Content-Type"] != "text/html"
    page = alice_client.get(f"/portal/tickets/{Ticket.objects.get().tracking_number}/")
    assert "<img src=x onerror" not in page.content.decode()
