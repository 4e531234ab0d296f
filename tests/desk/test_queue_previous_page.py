"""Every sorted queue view pages back as well as forward, a page back at a forward one's cost."""

from datetime import timedelta

import pytest

from santacare.desk import queues
from santacare.tickets.models import Ticket
from tests.desk.conftest import OFFICE_HOURS

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    return [row.ticket.tracking_number for row in response.context["page"].items]


@pytest.mark.parametrize("sort", ["due", "updated", "priority", "status", "customer"])
def test_previous_page_shows_the_page_before_in_every_sort(
    agent_client, alice, alice_device, open_portal_ticket, monkeypatch, sort
):
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    for n in range(6):
        open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS + timedelta(minutes=n))
    # Two at the same moment: the way back must neither skip nor repeat one at a page break.
    open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS)

    pages, after = [], ""
    while True:
        response = agent_client.get("/desk/", {"sort": sort, **({"after": after} if after else {})})
        pages.append(numbers(response))
        after = response.context["page"].next_cursor
        if not after:
            break
    assert len(pages) == 4
    assert response.context["page"].previous_cursor

    back = response
    for expected in reversed(pages[:-1]):
        cursor = back.context["page"].previous_cursor
        back = agent_client.get("/desk/", {"sort": sort, "after": cursor})
        assert numbers(back) == expected
    # Back at the start: the first page as it always looks, with no way further back.
    assert back.context["page"].first_page
    assert back.context["page"].previous_cursor is None
    assert 'rel="prev"' not in back.content.decode()


def test_a_page_back_costs_what_a_page_forward_does(
    agent_client, alice, alice_device, open_portal_ticket, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    for n in range(7):
        open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS + timedelta(minutes=n))
    cursor = ""
    for _ in range(3):
        page = agent_client.get("/desk/", {"sort": "priority", "after": cursor}).context["page"]
        cursor = page.next_cursor
    fourth = agent_client.get("/desk/", {"sort": "priority", "after": cursor})
    assert 'rel="prev"' in fourth.content.decode()

    # The same eight as a forward page (test_queues): the rows are one query either way.
    with django_assert_num_queries(8):
        third = agent_client.get(
            "/desk/", {"sort": "priority", "after": fourth.context["page"].previous_cursor}
        )
    assert len(third.context["page"].items) == 2
    assert third.context["page"].previous_cursor


def test_a_forged_cursor_shows_the_first_page(
    agent_client, alice, alice_device, open_portal_ticket
):
    open_portal_ticket(alice, alice_device)
    response = agent_client.get("/desk/", {"sort": "priority", "after": "forged:cursor"})
    assert response.status_code == 200
    assert response.context["page"].first_page


def test_paging_back_across_tickets_with_no_clock(
    agent_client, alice, alice_device, open_portal_ticket, monkeypatch
):
    """Tickets with no clock running sort last (no due time): the way back crosses into them."""
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    opened = [
        open_portal_ticket(alice, alice_device, received_at=OFFICE_HOURS + timedelta(minutes=n))
        for n in range(5)
    ]
    Ticket.objects.filter(pk__in=[t.pk for t in opened[:3]]).update(sla_due_at=None)

    pages, after = [], ""
    while True:
        response = agent_client.get("/desk/", {"after": after} if after else {})
        pages.append(numbers(response))
        after = response.context["page"].next_cursor
        if not after:
            break
    assert sum(len(page) for page in pages) == 5

    back = response
    for expected in reversed(pages[:-1]):
        back = agent_client.get("/desk/", {"after": back.context["page"].previous_cursor})
        assert numbers(back) == expected
