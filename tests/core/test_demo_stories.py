"""`santacare demo` in debug or demo mode: every screen a new user opens has something on it
(issue 13), told through the desk's own writers, and a second run adds nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from santacare.accounts.models import User
from santacare.core.time import helsinki, now
from santacare.customers.models import AccessRequest, Contact
from santacare.installbase.models import Device
from santacare.mailgate.models import InboundMail
from santacare.outbox.models import OutboundMail
from santacare.rma.models import Rma
from santacare.sla.models import ClockResult
from santacare.tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_PASSWORD = "demo-pass-123"  # noqa: S105 - the test's own demo password
    settings.DEMO_MODE = True
    settings.EMAIL_URL = ""


@pytest.fixture
def agent_client(demo_mode, client, capsys):
    call_command("demo")
    assert "loaded in" in capsys.readouterr().out
    client.force_login(User.objects.get(email="agentti@santacare.example"))
    return client


def shown(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_desk_queue_has_tickets_in_every_status(agent_client):
    for status in Ticket.Status.values:
        page = shown(agent_client, f"/desk/?queue=all&status={status}")
        numbers = Ticket.objects.filter(status=status).values_list("tracking_number", flat=True)
        assert numbers, status
        assert all(number in page for number in numbers), status


def test_the_desk_queue_shows_clocks_near_and_past_breach(agent_client):
    page = shown(agent_client, "/desk/?queue=all")
    assert "breached" in page.lower()
    assert {"portal", "email", "phone", "api"} <= set(
        Ticket.objects.values_list("channel", flat=True)
    )
    assert Message.objects.filter(visibility=Message.Visibility.INTERNAL).exists()
    assert Attachment.objects.exists()
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 1
    assert ClockResult.objects.exists()
    report = shown(agent_client, "/reports/")
    last_month = (helsinki(now()).replace(day=1) - timedelta(days=1)).strftime("%-m/%Y")
    assert last_month in report  # the SLA report has last month's finished tickets


def test_mail_review_lists_each_outcome_with_the_gateways_own_reason(agent_client):
    expected = {
        "review": "matti.meikalainen@posti.example",  # a stranger on a customer's ticket: held
        "refused": "ville.virtanen@kauppa.example",  # nobody we know
        "redirected": "FGT60FTK20000001",  # Managed Services: the NOC (R10)
        "ignored": "Automaattinen vastaus",  # an out-of-office reply
    }
    for outcome, text in expected.items():
        assert text in shown(agent_client, f"/desk/mail/?outcome={outcome}"), outcome
    refused = InboundMail.objects.filter(outcome=InboundMail.Outcome.REFUSED)
    assert set(refused.values_list("reason", flat=True)) == {
        "not_on_this_ticket",
        "no_valid_contract",
        "unknown_sender",
    }
    # The MTA's retry of the NOC mail was stored once: a duplicate never becomes a row.
    assert InboundMail.objects.filter(message_id__contains="demo-103@").count() == 1


def test_access_requests_and_rmas_have_rows(agent_client):
    page = shown(agent_client, "/desk/access/")
    assert "Kalle Kehittäjä" in page
    assert "Alice Walker" in page
    assert AccessRequest.objects.filter(status=AccessRequest.Status.PENDING).count() == 2

    page = shown(agent_client, "/rma/")
    for serial in ("FOC2402X7KL", "JN22CD3E4FGM"):
        assert serial in page
    assert {
        Rma.Status.SHIPPED,
        Rma.Status.DELIVERED,
        Rma.Status.RETURN_PENDING,
        Rma.Status.RETURNED,
        Rma.Status.CLOSED,
    } <= set(Rma.objects.values_list("status", flat=True))


def test_a_second_run_adds_nothing(agent_client, capsys):
    models = (Ticket, Message, InboundMail, OutboundMail, Rma, AccessRequest, Device, Contact)
    before = {model.__name__: model.objects.count() for model in models}

    call_command("demo")

    assert "nothing added" in capsys.readouterr().out
    assert {model.__name__: model.objects.count() for model in models} == before


def test_outside_debug_and_demo_mode_only_the_base_set_is_loaded(settings):
    settings.DEMO_PASSWORD = "demo-pass-123"  # noqa: S105 - the test's own demo password
    settings.DEBUG = settings.DEMO_MODE = False

    call_command("demo")

    assert not Ticket.objects.exists()
    assert Device.objects.count() == 5


def test_with_a_real_mail_server_configured_no_stories_are_told(demo_mode, settings):
    settings.EMAIL_URL = "smtp://mail.example.com:587"

    call_command("demo")

    assert not Ticket.objects.exists()
    assert not OutboundMail.objects.exists()
