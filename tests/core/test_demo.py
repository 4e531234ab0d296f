"""`santacare demo`: the data set that docs and walk-throughs rely on (issue 2)."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from santacare.customers.models import Contact
from santacare.demo.data import demo_password, load_demo_data
from santacare.installbase.entitlement import Entitlement, entitlement
from santacare.installbase.models import Device
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from santacare.tickets.outcomes import Outcome, Reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo_data(password="demo-pass-123")


def ticket_from(email: str, serial: str, **fields):
    contact = Contact.objects.get(email=email)
    request = TicketRequest(
        channel=Channel.PORTAL, contact=contact, serial_number=serial, description="Vika", **fields
    )
    return open_ticket(request)


def test_demo_devices_have_the_promised_entitlements(demo):
    from datetime import date

    today = date.today()  # noqa: DTZ011
    expected = {
        "FOC2233X0AB": Entitlement.COVERED,
        "JN11AB2C3DEF": Entitlement.COVERED,
        "FGT60FTK20000001": Entitlement.MANAGED_SERVICES,
        "FOC1111X0ZZ": Entitlement.EXPIRED,
        "FDO2544Y1QQ": Entitlement.COVERED,
    }
    for serial, status in expected.items():
        assert entitlement(Device.objects.get(serial_number=serial), on=today) == status, serial
    assert Device.objects.get(serial_number="FOC2233X0AB").contract.number == "SCM-1001"
    assert Device.objects.get(serial_number="JN11AB2C3DEF").contract.number == "SCM-1002"
    assert Device.objects.get(serial_number="FGT60FTK20000001").contract.number == "SMS-2001"


def test_r11_demo_contacts(demo):
    assert Contact.objects.get(email="tekninen@esimerkki.fi").is_technical
    assert not Contact.objects.get(email="loppukayttaja@esimerkki.fi").is_technical
    assert Contact.objects.get(email="it@toinen.fi").customer.name == "Toinen Oy"
    assert Contact.objects.get(email="tekninen@esimerkki.fi").customer.business_id == "1234567-1"


def test_demo_logins_work_with_the_demo_password(demo):
    for email in ("agentti@santacare.example", "tekninen@esimerkki.fi", "it@toinen.fi"):
        assert authenticate(email=email, password="demo-pass-123") is not None, email
    assert authenticate(email="loppukayttaja@esimerkki.fi", password="demo-pass-123") is None


def test_demo_walkthrough_outcomes(demo):
    assert ticket_from("tekninen@esimerkki.fi", "FOC2233X0AB").outcome in (
        Outcome.CREATED,
        Outcome.INFO_REQUESTED,
    )
    assert ticket_from("tekninen@esimerkki.fi", "FGT60FTK20000001").outcome == Outcome.REDIRECTED
    assert ticket_from("tekninen@esimerkki.fi", "FOC1111X0ZZ").reason == Reason.NO_VALID_CONTRACT
    assert ticket_from("it@toinen.fi", "FOC2233X0AB").reason == Reason.UNKNOWN_SERIAL
    assert ticket_from("loppukayttaja@esimerkki.fi", "FOC2233X0AB").reason == (
        Reason.NOT_TECHNICAL_CONTACT
    )


def test_demo_is_idempotent(demo):
    load_demo_data(password="demo-pass-123")

    assert Device.objects.count() == 5
    assert Contact.objects.count() == 3


def test_demo_password_comes_from_the_environment_or_a_private_file(tmp_path, settings):
    settings.DEMO_PASSWORD = "from-env"  # DEMO_PASSWORD in the environment
    assert demo_password(tmp_path) == "from-env"

    settings.DEMO_PASSWORD = ""
    generated = demo_password(tmp_path)
    assert len(generated) >= 12
    assert demo_password(tmp_path) == generated  # make run shows the same one again
    assert (tmp_path / "demo-password.txt").stat().st_mode & 0o077 == 0


def test_demo_command_prints_the_logins(capsys, settings):
    settings.DEMO_PASSWORD = "printed-pass"

    call_command("demo")

    out = capsys.readouterr().out
    assert "printed-pass" in out
    assert "tekninen@esimerkki.fi" in out
