"""The incoming-call banner (R7): the agent whose extension rings sees the caller's card, and one
click opens phone intake filled in; the call is recorded on the ticket opened or continued."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from santacare.core.time import now
from santacare.telephony.lookup import current_calls
from santacare.telephony.models import Call
from santacare.telephony.services import CallEvent, EventKind, record_call_event
from santacare.tickets.models import Channel, Message, Ticket
from tests.factories import AgentFactory

from .conftest import OFFICE_HOURS

pytestmark = pytest.mark.django_db

BANNER = "/desk/calls/incoming/"


@pytest.fixture
def agent():
    return AgentFactory(
        full_name="Aino Agentti", email="aino@santacare.example", phone_extension="201"
    )


@pytest.fixture
def caller(alice):
    alice.phone = "040 111 2222"
    alice.name = "Teemu Tekninen"
    alice.save()
    return alice


def ring(call_id="c-1", number="+358401112222", extension="201", **fields):
    event = CallEvent(
        event=EventKind.NEW_CALL,
        call_id=call_id,
        from_number=number,
        to_number="0942420000",
        extension=extension,
    )
    return record_call_event(event, at=fields.get("at") or now()).call


def event(kind, call_id="c-1", *, at=None, **fields):
    return record_call_event(CallEvent(event=kind, call_id=call_id, **fields), at=at or now()).call


def test_r7_no_call_no_banner_and_one_query(agent_client, django_assert_num_queries):
    # session, user, the one indexed query for a call at this extension
    with django_assert_num_queries(3):
        response = agent_client.get(BANNER)
    assert response.status_code == 204


def test_an_agent_without_an_extension_stops_polling(client):
    client.force_login(AgentFactory(phone_extension=""))
    assert client.get(BANNER).status_code == 286


def test_r7_a_ringing_call_shows_the_caller_card(
    agent_client, caller, alice_device, open_portal_ticket
):
    ticket = open_portal_ticket(caller, alice_device)
    call = ring()

    response = agent_client.get(BANNER)

    text = response.content.decode()
    assert response.status_code == 200
    assert "Incoming call" in text
    assert "+358 40 1112222" in text
    assert "Teemu Tekninen" in text
    assert "Alice Oy" in text
    assert alice_device.serial_number in text
    assert ticket.tracking_number in text
    assert f"/desk/phone/?contact={caller.pk}&amp;call={call.pk}" in text


def test_the_same_call_again_is_204_so_the_page_is_left_alone(
    agent_client, caller, django_assert_num_queries
):
    call = ring()
    with django_assert_num_queries(3):
        response = agent_client.get(BANNER, {"shown": f"{call.pk}:ringing"})
    assert response.status_code == 204
    # Answered: the state changed, so the banner is drawn again ("On the line").
    event(EventKind.ANSWER, extension="201")
    assert "On the line" in agent_client.get(BANNER, {"shown": f"{call.pk}:ringing"}).text


def test_another_extension_rings_not_mine(agent_client, caller):
    ring(extension="202")
    assert agent_client.get(BANNER).status_code == 204


def test_the_banner_goes_away_at_the_hang_up(agent_client, caller):
    call = ring()
    event(EventKind.HANGUP)
    response = agent_client.get(BANNER, {"shown": f"{call.pk}:ringing"})
    assert response.status_code == 200
    assert response.content == b""


def test_an_unknown_number_offers_the_search(agent_client):
    call = ring(number="+358 50 000 0000")
    text = agent_client.get(BANNER).text
    assert "No contact has this number." in text
    assert f"/desk/phone/?q=%2B358500000000&amp;call={call.pk}" in text


def test_r7_one_click_opens_phone_intake_filled_in(agent_client, caller, alice_device):
    call = ring()

    response = agent_client.get("/desk/phone/", {"contact": caller.pk, "call": call.pk})

    text = response.content.decode()
    assert response.context["form"].initial["contact"] == caller.pk
    assert response.context["form"].initial["call"] == call.pk
    assert f'name="call" value="{call.pk}"' in text
    assert "Alice Oy" in text
    assert alice_device.serial_number in text
    # Picking the device keeps the call.
    assert f"device={alice_device.pk}&amp;call={call.pk}" in text


def test_r7_the_call_is_recorded_on_the_ticket_opened_from_it(
    agent_client, agent, caller, alice_device
):
    with time_machine.travel(OFFICE_HOURS, tick=False) as clock:
        call = ring()
        event(EventKind.ANSWER, extension="201")
        agent_client.post(
            "/desk/phone/",
            {
                "contact": caller.pk,
                "device": alice_device.pk,
                "call": call.pk,
                "description": "Kytkin ei käynnisty.",
                "priority": "P3",
            },
        )
        ticket = Ticket.objects.get()
        assert ticket.channel == Channel.PHONE
        # The call goes on: no note yet, its length is not known.
        assert not ticket.messages.filter(visibility=Message.Visibility.INTERNAL).exists()
        clock.shift(timedelta(minutes=4))
        event(EventKind.HANGUP)

    call.refresh_from_db()
    assert call.ticket == ticket
    note = ticket.messages.get(visibility=Message.Visibility.INTERNAL)
    assert note.channel == Channel.PHONE
    assert note.body.splitlines() == [
        "Puhelu numerosta +358 40 1112222 24.11.2026 klo 10.00, kesto 4 min, vastasi Aino Agentti.",
        "Phone call from +358 40 1112222 on 24.11.2026 at 10:00, 4 min, answered by Aino Agentti.",
    ]
    # Replayed hang-up: still one note.
    event(EventKind.HANGUP)
    assert ticket.messages.filter(visibility=Message.Visibility.INTERNAL).count() == 1


def test_r7_an_ended_call_about_an_open_ticket_is_recorded_at_once(
    agent_client, caller, alice_device, open_portal_ticket
):
    ticket = open_portal_ticket(caller, alice_device)
    call = ring()
    event(EventKind.HANGUP)

    response = agent_client.post(
        f"/desk/calls/{call.pk}/ticket/", {"ticket": ticket.tracking_number}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/desk/t/{ticket.tracking_number}/"
    note = ticket.messages.get(visibility=Message.Visibility.INTERNAL)
    assert "Missed phone call from +358 40 1112222" in note.body


@pytest.mark.parametrize("bad", ["", "SC-000000", "nonsense", "SC-1" * 30])
def test_recording_on_a_ticket_that_does_not_exist_is_404(agent_client, caller, bad):
    call = ring()
    assert agent_client.post(f"/desk/calls/{call.pk}/ticket/", {"ticket": bad}).status_code == 404
    assert agent_client.post("/desk/calls/999999/ticket/", {"ticket": bad}).status_code == 404


def test_r11_customers_get_no_banner(alice):
    client = Client()
    client.force_login(alice.user if alice.user else AgentFactory(role="customer"))
    assert client.get(BANNER).status_code == 403


@pytest.mark.postgres
def test_the_banner_query_uses_its_index_on_postgresql(agent, caller):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN output is PostgreSQL's")
    for n in range(50):
        ring(call_id=f"old-{n}", extension=str(300 + n))
    queryset = current_calls("201", now=now())[:1]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "telephony_extensi" in plan or "Index" in plan
    assert "Seq Scan" not in plan


def test_a_call_whose_hang_up_was_lost_does_not_stay_on_the_banner(agent_client, caller):
    with time_machine.travel(OFFICE_HOURS, tick=False) as clock:
        ring()
        clock.shift(timedelta(minutes=11))
        assert agent_client.get(BANNER).status_code == 204
        ring(call_id="c-2")
        event(EventKind.ANSWER, call_id="c-2", extension="201")
        clock.shift(timedelta(hours=3))
        # Still talking after three hours: still shown.
        assert "On the line" in agent_client.get(BANNER).text


def test_an_outgoing_call_is_not_called_incoming(agent_client, caller):
    record_call_event(
        CallEvent(
            event=EventKind.NEW_CALL,
            call_id="out-1",
            direction=Call.Direction.OUT,
            from_number="201",
            to_number="040 111 2222",
            extension="201",
        ),
        at=now(),
    )
    text = agent_client.get(BANNER).text
    assert "Outgoing call" in text
    assert "Teemu Tekninen" in text


def test_a_call_recorded_twice_on_one_ticket_is_one_note_and_on_another_its_own(
    agent_client, caller, alice_device, open_portal_ticket
):
    first = open_portal_ticket(caller, alice_device)
    second = open_portal_ticket(caller, alice_device)
    call = ring()
    event(EventKind.HANGUP)

    for ticket in (first, first, second):
        agent_client.post(f"/desk/calls/{call.pk}/ticket/", {"ticket": ticket.tracking_number})

    internal = Message.Visibility.INTERNAL
    assert first.messages.filter(visibility=internal).count() == 1
    assert second.messages.filter(visibility=internal).count() == 1
