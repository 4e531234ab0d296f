"""Phone intake (R7): find the caller by anything they say, pick the device, open the ticket."""

from datetime import timedelta

import pytest

from santacare.desk.lookup import national_phone_digits
from santacare.desk.services import TECHNICAL_CONTACT_ADDED
from santacare.installbase.models import Contract
from santacare.tickets.models import Channel, Event, Priority, Ticket
from tests.factories import TODAY, ContactFactory, ContractFactory, CustomerFactory, DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(alice):
    alice.phone = "+358 40 111 2222"
    alice.name = "Teemu Tekninen"
    alice.save()
    return alice


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("+358 40 111 2222", "401112222"),
        ("040-111 2222", "401112222"),
        ("0401112222", "401112222"),
        ("00358 40 1112222", "401112222"),
        ("358401112222", "401112222"),
        ("111 2222", "1112222"),
    ],
)
def test_r7_phone_numbers_are_normalised(typed, digits):
    assert national_phone_digits(typed) == digits


@pytest.mark.parametrize(
    "typed", ["+358 40 111 2222", "040 111 2222", "0401112222", "+358401112222", "111 2222"]
)
def test_r7_caller_is_found_by_phone_number_however_written(agent_client, caller, typed):
    response = agent_client.get("/desk/phone/lookup/", {"q": typed})

    assert response.status_code == 200
    assert "Teemu Tekninen" in response.content.decode()


@pytest.mark.parametrize("typed", ["2233X", "2233x", "foc2233x0ab", "Alice Oy", "Catalyst"])
def test_r7_device_is_found_by_serial_fragment_or_company(agent_client, alice_device, typed):
    response = agent_client.get("/desk/phone/lookup/", {"q": typed})

    assert "FOC2233X0AB" in response.content.decode()


def test_r7_caller_found_by_business_id_and_name(agent_client, caller):
    business_id = caller.customer.business_id

    assert (
        "Teemu Tekninen"
        in agent_client.get("/desk/phone/lookup/", {"q": business_id}).content.decode()
    )
    assert (
        "Teemu Tekninen" in agent_client.get("/desk/phone/lookup/", {"q": "teemu"}).content.decode()
    )


def test_lookup_of_nothing_says_so(agent_client, caller):
    response = agent_client.get("/desk/phone/lookup/", {"q": "zzzz-ei-ole"})

    assert "Nobody and nothing matches" in response.content.decode()


@pytest.mark.parametrize("typed", ["<script>alert(1)</script>", "%", "_", "x" * 5000, "\x00\x01"])
def test_hostile_lookup_input_is_answered_plainly(agent_client, caller, typed):
    response = agent_client.get("/desk/phone/lookup/", {"q": typed})

    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_picking_the_device_shows_everything_at_once(agent_client, caller, alice_device):
    response = agent_client.get("/desk/phone/", {"contact": caller.pk, "device": alice_device.pk})

    text = response.content.decode()
    assert "Alice Oy" in text
    assert "FOC2233X0AB" in text
    assert "Cisco Catalyst 9300" in text
    assert alice_device.contract.number in text
    assert "SantaCare Basic" in text
    assert 'data-entitlement="covered"' in text
    assert 'name="subject"' in text


def test_picking_the_caller_lists_the_companys_devices(agent_client, caller, alice_device):
    response = agent_client.get("/desk/phone/", {"contact": caller.pk})

    text = response.content.decode()
    assert "FOC2233X0AB" in text
    assert f"device={alice_device.pk}" in text


def test_picking_a_device_lists_who_may_be_calling(agent_client, caller, alice_device):
    response = agent_client.get("/desk/phone/", {"device": alice_device.pk})

    assert f"contact={caller.pk}" in response.content.decode()


def test_htmx_pick_returns_only_the_intake_partial(agent_client, caller, alice_device):
    response = agent_client.get(
        "/desk/phone/",
        {"contact": caller.pk, "device": alice_device.pk},
        headers={"HX-Request": "true", "HX-Target": "intake"},
    )

    text = response.content.decode()
    assert text.lstrip().startswith('<section id="intake"')
    assert "<html" not in text


def test_r1_expired_contract_is_shown_with_the_way_forward(agent_client, caller):
    expired = DeviceFactory(
        customer=caller.customer,
        serial_number="FOC1111X0ZZ",
        contract=ContractFactory(
            customer=caller.customer,
            valid_from=TODAY - timedelta(days=800),
            valid_to=TODAY - timedelta(days=30),
        ),
    )

    response = agent_client.get("/desk/phone/", {"contact": caller.pk, "device": expired.pk})

    text = response.content.decode()
    assert 'data-entitlement="expired"' in text
    assert 'data-rule="R1"' in text
    assert "Service Delivery Manager" in text
    assert 'name="subject"' not in text


def test_r10_managed_services_device_sends_the_caller_to_the_noc(agent_client, caller, settings):
    managed = DeviceFactory(
        customer=caller.customer,
        serial_number="FGT60FTK20000001",
        contract=ContractFactory(
            customer=caller.customer, product=Contract.Product.MANAGED_SERVICES, service_level=None
        ),
    )

    response = agent_client.get("/desk/phone/", {"contact": caller.pk, "device": managed.pk})

    text = response.content.decode()
    assert 'data-rule="R10"' in text
    assert settings.NOC_PHONE in text
    assert 'name="subject"' not in text


def test_device_of_another_customer_is_not_shown_with_the_caller(
    agent_client, caller, charlie_device
):
    response = agent_client.get("/desk/phone/", {"contact": caller.pk, "device": charlie_device.pk})

    text = response.content.decode()
    assert "FDO2544Y1QQ" not in text
    assert "belongs to another customer" in text


@pytest.mark.parametrize("bad", ["abc", "-1", "99999999", "1" * 40, "1 OR 1=1"])
def test_tampered_pick_ids_show_the_empty_screen(agent_client, caller, alice_device, bad):
    response = agent_client.get("/desk/phone/", {"contact": bad, "device": bad})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Type what the caller tells you. Pick the person or the device" in text
    # Nothing picked: no caller card, no device or person rows, no form to open a ticket.
    assert caller.name not in text
    assert caller.customer.name not in text
    assert alice_device.serial_number not in text
    assert "data-pick=" not in text
    assert 'name="subject"' not in text


def call(caller, device, /, **fields):
    return {
        "contact": caller.pk,
        "device": device.pk,
        "subject": "Kytkin ei käynnisty",
        "description": "Virtavalo ei syty.",
        "priority": "P3",
    } | fields


def test_r7_phone_ticket_is_opened_and_the_tracking_number_shown(
    agent_client, agent, caller, alice_device
):
    response = agent_client.post("/desk/phone/", call(caller, alice_device), follow=True)

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.PHONE
    assert ticket.opened_by == agent
    assert ticket.contact == caller
    assert ticket.serial_number == "FOC2233X0AB"
    assert ticket.status == Ticket.Status.NEW
    assert ticket.events.get(kind=Event.Kind.OPENED).actor_label == "Aino Agentti"
    text = response.content.decode()
    assert f'data-tracking-number="{ticket.tracking_number}"' in text
    assert caller.email in text


def test_r8_critical_call_is_opened_as_p1_without_the_call_us_flag(
    agent_client, caller, alice_device
):
    agent_client.post("/desk/phone/", call(caller, alice_device, priority="P1"))

    ticket = Ticket.objects.get()
    assert ticket.priority == Priority.P1
    assert not ticket.phone_call_required


def test_r9_description_is_required_and_the_summary_takes_focus(agent_client, caller, alice_device):
    response = agent_client.post(
        "/desk/phone/", call(caller, alice_device, subject="", description="")
    )

    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    page = response.content.decode()
    assert page.count('class="error"') == 1
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert 'tabindex="-1" autofocus' in summary
    assert 'href="#id_description"' in summary


def test_r7_phone_ticket_without_a_subject_takes_the_first_line_of_the_description(
    agent_client, caller, alice_device
):
    agent_client.post(
        "/desk/phone/",
        call(
            caller, alice_device, subject="", description="Kytkin ei käynnisty\nVirtavalo ei syty."
        ),
    )

    assert Ticket.objects.get().subject == "Kytkin ei käynnisty"


def test_r9_hardware_fault_needs_delivery_address_and_contact(agent_client, caller, alice_device):
    response = agent_client.post(
        "/desk/phone/",
        call(caller, alice_device, hardware_fault="on", delivery_address="", delivery_contact=""),
    )

    assert Ticket.objects.count() == 0
    assert "Required when a hardware fault is suspected." in response.content.decode()


def test_r9_hardware_fault_with_delivery_details_is_opened_complete(
    agent_client, caller, alice_device
):
    agent_client.post(
        "/desk/phone/",
        call(
            caller,
            alice_device,
            hardware_fault="on",
            delivery_address="Alice Oy\nTestikatu 1\n00100 Helsinki",
            delivery_contact="Teemu, +358 40 111 2222",
        ),
    )

    ticket = Ticket.objects.get()
    assert ticket.hardware_fault
    assert ticket.missing_information == []


def test_r11_non_technical_caller_is_not_silently_accepted(agent_client, alice_device):
    end_user = ContactFactory(customer=alice_device.customer, is_technical=False)

    page = agent_client.get("/desk/phone/", {"contact": end_user.pk, "device": alice_device.pk})
    response = agent_client.post("/desk/phone/", call(end_user, alice_device))

    assert 'data-rule="R11"' in page.content.decode()
    assert Ticket.objects.count() == 0
    assert "not a technical contact" in response.content.decode()


def test_r11_confirmed_caller_becomes_technical_contact_in_the_log(agent_client, alice_device):
    end_user = ContactFactory(customer=alice_device.customer, is_technical=False)

    agent_client.post(
        "/desk/phone/",
        call(
            end_user,
            alice_device,
            add_as_technical_contact="on",
            confirmed_by="Maija, IT-päällikkö",
        ),
    )

    end_user.refresh_from_db()
    assert end_user.is_technical
    event = Ticket.objects.get().events.get(kind=TECHNICAL_CONTACT_ADDED)
    assert event.actor_label == "Aino Agentti"
    assert event.data["confirmed_by"] == "Maija, IT-päällikkö"


def test_r11_confirmation_needs_a_name(agent_client, alice_device):
    end_user = ContactFactory(customer=alice_device.customer, is_technical=False)

    agent_client.post("/desk/phone/", call(end_user, alice_device, add_as_technical_contact="on"))

    end_user.refresh_from_db()
    assert not end_user.is_technical
    assert Ticket.objects.count() == 0


def test_r1_expired_device_posted_anyway_is_refused_with_the_reason(agent_client, caller):
    expired = DeviceFactory(
        customer=caller.customer,
        contract=ContractFactory(
            customer=caller.customer,
            valid_from=TODAY - timedelta(days=800),
            valid_to=TODAY - timedelta(days=30),
        ),
    )

    response = agent_client.post("/desk/phone/", call(caller, expired))

    assert Ticket.objects.count() == 0
    assert "no valid SantaCare Maintenance contract" in response.content.decode()


def test_r1_refused_call_does_not_keep_the_technical_contact_promotion(agent_client, caller):
    expired = DeviceFactory(
        customer=caller.customer,
        contract=ContractFactory(
            customer=caller.customer,
            valid_from=TODAY - timedelta(days=800),
            valid_to=TODAY - timedelta(days=30),
        ),
    )
    end_user = ContactFactory(customer=caller.customer, is_technical=False)

    agent_client.post(
        "/desk/phone/",
        call(end_user, expired, add_as_technical_contact="on", confirmed_by="Maija"),
    )

    end_user.refresh_from_db()
    assert not end_user.is_technical


def test_device_of_another_customer_cannot_be_posted(agent_client, caller, charlie_device):
    response = agent_client.post("/desk/phone/", call(caller, charlie_device))

    assert Ticket.objects.count() == 0
    assert "belongs to another customer" in response.content.decode()


@pytest.mark.parametrize("field", ["contact", "device"])
def test_tampered_ids_in_the_post_are_refused(agent_client, caller, alice_device, field):
    response = agent_client.post("/desk/phone/", call(caller, alice_device, **{field: "999999"}))

    assert response.status_code == 200
    assert Ticket.objects.count() == 0


def test_script_in_the_description_is_stored_as_text_and_shown_escaped(
    agent_client, caller, alice_device
):
    agent_client.post(
        "/desk/phone/", call(caller, alice_device, description="<script>alert(1)</script>")
    )
    ticket = Ticket.objects.get()

    response = agent_client.get(f"/desk/t/{ticket.tracking_number}/")

    text = response.content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.parametrize("count", [1, 3])
def test_lookup_queries_do_not_grow_with_matches(agent_client, django_assert_num_queries, count):
    customer = CustomerFactory(name="Laskuri Oy")
    for n in range(count):
        ContactFactory(customer=customer, name=f"Laskuri {n}")
        DeviceFactory(customer=customer, serial_number=f"CNT{n:05d}AA")

    # session + user, then one query for people and one for devices
    with django_assert_num_queries(4):
        agent_client.get("/desk/phone/lookup/", {"q": "Laskuri"})


@pytest.mark.parametrize("count", [1, 3])
def test_selection_queries_do_not_grow_with_devices(agent_client, django_assert_num_queries, count):
    customer = CustomerFactory(name="Laskuri Oy")
    contact = ContactFactory(customer=customer)
    for n in range(count):
        DeviceFactory(customer=customer, serial_number=f"CNT{n:05d}AA")

    with django_assert_num_queries(5):
        agent_client.get("/desk/phone/", {"contact": contact.pk})
