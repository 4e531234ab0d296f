"""The queue's rows, written in Python (desk/queue_rows.py): what a row says, escaped."""

import pytest
from django.test import Client

from santacare.tickets.models import Ticket
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def row_of(response, ticket):
    text = response.content.decode()
    start = text.index(f'<tr class="priority-p3" data-ticket="{ticket.tracking_number}">')
    return text[start : text.index("</tr>", start)]


def test_a_row_escapes_what_customers_wrote(agent_client, alice, alice_device, open_portal_ticket):
    ticket = open_portal_ticket(alice, alice_device, subject='<script>alert("x")</script> & co')

    row = row_of(agent_client.get("/desk/"), ticket)

    assert "<script>" not in row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in row
    assert f'<a href="/desk/t/{ticket.tracking_number}/" class="tn">' in row


def test_a_row_shows_its_badges_assignee_and_choices_in_words(
    agent_client, alice, alice_device, open_portal_ticket
):
    ticket = open_portal_ticket(alice, alice_device)
    other = open_portal_ticket(alice, alice_device)
    Ticket.objects.filter(pk=ticket.pk).update(
        phone_call_required=True,
        missing_information=["serial_number"],
        merged_into=other,
        assignee=AgentFactory(full_name="Olli Agentti"),
        status=Ticket.Status.IN_PROGRESS,
    )

    row = " ".join(row_of(agent_client.get("/desk/", {"queue": "all"}), ticket).split())

    assert f'aria-label="Select {ticket.tracking_number}"' in row
    assert "Call the customer</span>" in row
    assert "Information missing</span>" in row
    assert '<span class="badge">Merged</span>' in row
    assert '<td class="col-assignee" data-label="Assignee">Olli Agentti</td>' in row
    assert '<span class="badge status status-in_progress">In progress</span>' in row
    assert 'title="P3 – impaired">P3<span class="visually-hidden"> – P3 – impaired</span>' in row
    assert f"{alice_device.serial_number} · Portal" in row


def test_a_row_speaks_the_agents_language(alice, alice_device, open_portal_ticket, agent):
    ticket = open_portal_ticket(alice, alice_device)
    client = Client(headers={"accept-language": "fi"})
    client.force_login(agent)

    row = row_of(client.get("/desk/"), ticket)

    assert 'data-label="Tukipyyntö"' in row
    assert f'aria-label="Valitse {ticket.tracking_number}"' in row
