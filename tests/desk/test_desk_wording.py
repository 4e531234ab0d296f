"""What the desk's screens say is true of the agent reading them."""

import pytest

from santacare.accounts.models import User
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_a_phone_message_names_the_agent_who_typed_it_and_the_caller(
    agent, agent_client, alice, alice_device
):
    ticket = open_ticket(
        TicketRequest(
            channel=Channel.PHONE,
            contact=alice,
            subject="Puhelu",
            description="Asiakas soitti.",
            serial_number=alice_device.serial_number,
            opened_by=agent,
        )
    ).ticket
    assert ticket is not None
    text = agent_client.get(f"/desk/t/{ticket.tracking_number}/").content.decode()
    message = text.split('<article class="message')[1].split("</header>")[0]
    assert "Phone, typed by Aino Agentti" in message
    assert "From the customer" not in message
    assert f"<strong>{alice.name}</strong>" in message


def test_the_desk_footer_gives_agents_no_portal_support_address(agent_client, settings):
    text = agent_client.get("/desk/").content.decode()
    footer = text.split("<footer>")[1]
    assert settings.PORTAL_SUPPORT_EMAIL not in footer
    assert settings.SUPPORT_PHONE in footer


def test_access_requests_do_not_claim_a_confirmed_address(agent_client):
    text = agent_client.get("/desk/access/").content.decode()
    assert "confirmed their email" not in text
    assert "its email address not confirmed" in text


def test_the_desk_navigation_marks_reports_as_the_current_page(client):
    lead = AgentFactory(role=User.Role.TEAM_LEAD)
    client.force_login(lead)

    text = client.get("/reports/", headers={"accept-language": "en"}).content.decode()

    nav = text.split('<nav class="desk-nav"')[1].split("</nav>")[0]
    assert 'href="/reports/" aria-current="page"' in nav
    assert nav.count('aria-current="page"') == 1
