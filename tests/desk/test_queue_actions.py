"""Bulk actions and saved filters of the queue: one service call per ticket, each agent's own
filters, and hostile input answered with a message rather than an error page."""

import pytest

from santacare.desk.models import SavedFilter
from santacare.tickets.models import Event, Ticket
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(alice, alice_device, open_portal_ticket):
    return [open_portal_ticket(alice, alice_device) for _ in range(2)]


def bulk(client, tickets, **data):
    return client.post(
        "/desk/bulk/",
        {"tickets": [t.tracking_number for t in tickets], "back": "queue=new&sort=updated", **data},
        headers={"accept-language": "en"},
        follow=True,
    )


def test_bulk_assign_to_me_goes_through_the_service_once_per_ticket(agent_client, agent, two):
    response = bulk(agent_client, two, action="assign_me")

    assert response.redirect_chain[-1][0] == "/desk/?queue=new&sort=updated"
    for ticket in two:
        ticket.refresh_from_db()
        assert ticket.assignee == agent
        # The one writer logs each change: one assignment event per ticket.
        assert ticket.events.filter(kind=Event.Kind.ASSIGNED).count() == 1
    assert "Changed 2 tickets" in response.text


def test_bulk_status_and_priority_are_logged_per_ticket(agent_client, two):
    bulk(agent_client, two, action="status", status=Ticket.Status.IN_PROGRESS)
    bulk(agent_client, two, action="priority", priority="P1")

    for ticket in two:
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.IN_PROGRESS
        assert ticket.priority == "P1"
        assert ticket.events.filter(kind=Event.Kind.STATUS_CHANGED).count() == 1
        assert ticket.events.filter(kind=Event.Kind.PRIORITY_CHANGED).count() == 1


def test_bulk_assign_to_another_agent(agent_client, two):
    colleague = AgentFactory(full_name="Kalle Kollega")
    bulk(agent_client, two, action="assign", assignee=colleague.pk)
    assert {t.assignee_id for t in Ticket.objects.all()} == {colleague.pk}


def test_bulk_with_a_ticket_that_does_not_exist_changes_nothing_and_says_why(agent_client, two):
    response = agent_client.post(
        "/desk/bulk/",
        {"tickets": [two[0].tracking_number, "SC-999999"], "action": "assign_me"},
        follow=True,
    )
    assert response.status_code == 200
    assert "SC-999999" in response.text
    assert not Ticket.objects.filter(assignee__isnull=False).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "status"},  # no status chosen
        {"action": "priority", "priority": "P9"},
        {"action": "explode"},
    ],
)
def test_bulk_with_a_broken_action_answers_with_a_message(agent_client, two, data):
    response = bulk(agent_client, two, **data)
    assert response.status_code == 200
    assert 'class="message error"' in response.text
    assert not Ticket.objects.exclude(status=Ticket.Status.NEW).exists()


def test_bulk_with_nothing_selected_says_so(agent_client):
    response = agent_client.post("/desk/bulk/", {"action": "assign_me"}, follow=True)
    assert "Select at least one ticket." in response.text


def test_saved_filter_is_saved_applied_and_deleted(agent_client, agent):
    agent_client.post(
        "/desk/filters/",
        {"name": "Minun P1", "query": "queue=mine&priority=P1&after=xyz&evil=%3Cscript%3E"},
    )
    saved = SavedFilter.objects.get(owner=agent)
    # Only what describes the view is kept: no cursor, nothing unknown.
    assert saved.query == "queue=mine&priority=P1"

    page = agent_client.get("/desk/?queue=mine&priority=P1").text
    assert 'data-saved-filter="Minun P1"' in page
    assert 'aria-current="true"' in page

    agent_client.post("/desk/filters/", {"name": "Minun P1", "query": "queue=all"})
    saved.refresh_from_db()
    assert saved.query == "queue=all"  # the same name again replaces it

    agent_client.post(f"/desk/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_saved_filters_are_each_agents_own(agent_client, agent):
    other = AgentFactory()
    theirs = SavedFilter.objects.create(owner=other, name="Kallen", query="queue=mine")

    assert "Kallen" not in agent_client.get("/desk/").text
    assert agent_client.post(f"/desk/filters/{theirs.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def test_a_saved_filter_without_a_name_is_refused_with_a_message(agent_client):
    response = agent_client.post("/desk/filters/", {"name": "", "query": "queue=mine"}, follow=True)
    assert "Give the filter a name" in response.text
    assert not SavedFilter.objects.exists()
