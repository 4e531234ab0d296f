"""Class: stored script in ticket fields, shown back on a page or in JSON (seen in Zammad's
subjects, OTRS's zero-click ticket overview, osTicket, Request Tracker, django-helpdesk).

Every text a customer, a mail sender, a vendor list or an agent can store holds script three
ways (an element, an event handler, a `javascript:` link). Each page that shows it, to
customers (portal, their report, their RMA), to agents (desk queue, workspace, held mail, RMA
lists, reports) and to admins (list pages), must show it as text; the API must carry it as
data. A page "shows" a field when its text (or an attribute value, escaped) holds it.
"""

import json

import pytest
from django.test import Client

from santacare.tickets.models import Message
from tests.security.fixtures_classes import assert_inert, build_hostile_world, hostile

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_hostile_world()


@pytest.fixture
def customer_client(world):
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.contact_user)
    return client


@pytest.fixture
def agent_client(world):
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.agent)
    return client


def customer_pages(world):
    number = world.ticket.tracking_number
    return [
        ("/portal/", ["company"]),
        ("/portal/devices/", ["device_type", "site"]),
        ("/portal/tickets/", ["subject"]),
        (f"/portal/tickets/{number}/", ["subject", "description", "reply"]),
        ("/reports/mine/", []),
        (f"/rma/ticket/{number}/", ["part"]),
    ]


def agent_pages(world):
    number = world.ticket.tracking_number
    return [
        ("/desk/", ["subject", "company"]),
        (
            f"/desk/t/{number}/",
            ["subject", "description", "reply", "company", "contact", "address"],
        ),
        ("/desk/mail/", ["mail_subj"]),
        ("/desk/phone/lookup/?q=alice", []),
        ("/rma/", ["company"]),
        ("/rma/?status=cancelled", ["company"]),
        (f"/rma/{world.rma.pk}/", ["part", "instructions", "address", "delivery"]),
        (f"/rma/{world.cancelled_rma.pk}/", ["cancel"]),
        ("/rma/report/", []),
        ("/reports/", []),
    ]


def admin_pages(world):
    return [
        ("/admin/tickets/ticket/", ["subject", "company"]),
        (f"/admin/tickets/ticket/{world.ticket.pk}/change/", ["subject", "description"]),
        ("/admin/customers/customer/", ["company"]),
        ("/admin/customers/contact/", ["contact", "job_role", "company"]),
        ("/admin/customers/site/", ["site"]),
        ("/admin/customers/accessrequest/", ["access_name", "access_org"]),
        (
            f"/admin/customers/accessrequest/{world.access_request.pk}/change/",
            ["decline", "access_role"],
        ),
        ("/admin/installbase/vendor/", ["vendor"]),
        ("/admin/installbase/device/", ["device_type", "vendor"]),
        ("/admin/rma/rma/", ["vendor"]),
        (f"/admin/rma/rma/{world.cancelled_rma.pk}/change/", ["cancel"]),
        ("/admin/mailgate/inboundmail/", ["mail_subj"]),
        ("/admin/outbox/outboundmail/", ["subject"]),
        ("/admin/customers/apitoken/", ["token"]),
    ]


def _check(client, pages):
    """Every page inert; then every page shows what it should, all mismatches at once."""
    not_shown = {}
    for url, fields in pages:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        page = assert_inert(response.content.decode(), url)
        missing = [name for name in fields if not page.shows(name)]
        if missing:
            not_shown[url] = missing
    assert not not_shown, f"fields not shown as text: {not_shown}"


def test_r4_stored_script_is_text_on_every_customer_page(world, customer_client):
    _check(customer_client, customer_pages(world))


def test_r4_stored_script_is_text_on_every_desk_page(world, agent_client):
    _check(agent_client, agent_pages(world))


def test_stored_script_is_text_on_every_admin_page(world, agent_client):
    _check(agent_client, admin_pages(world))


def test_r4_stored_script_in_a_file_name_is_cleaned_on_the_way_in(
    world, customer_client, agent_client
):
    """File names lose markup characters when stored (they also go into a header)."""
    name = world.attachment.filename
    assert name == "_img src=x onerror=alert('filename')_.txt"
    number = world.ticket.tracking_number
    for client, url in (
        (customer_client, f"/portal/tickets/{number}/"),
        (agent_client, f"/desk/t/{number}/"),
        (agent_client, "/admin/tickets/attachment/"),
    ):
        page = assert_inert(client.get(url).content.decode(), url)
        assert page.shows_text(name), url


def test_r12_stored_script_is_data_in_the_api_json(world):
    client = Client(headers={"authorization": f"Bearer {world.api_key}"})
    number = world.ticket.tracking_number
    documents = {}
    for path in ("/tickets", f"/tickets/{number}", f"/tickets/{number}/messages", "/devices"):
        response = client.get(f"/api/v1{path}")
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/json")
        documents[path] = json.loads(response.content)

    [listed] = documents["/tickets"]
    assert listed["subject"] == hostile("subject")
    assert documents[f"/tickets/{number}"]["subject"] == hostile("subject")
    bodies = [message["body"] for message in documents[f"/tickets/{number}/messages"]]
    assert hostile("reply") in bodies
    assert world.ticket.messages.filter(visibility=Message.Visibility.PUBLIC).count() == len(bodies)
    [device] = documents["/devices"]
    assert device["device_type"] == hostile("device_type")
