"""Class: sort and filter parameters passed to the ORM (seen in django-helpdesk, where
`?sort=queue__email_box_pass` ordered tickets by a mailbox password and leaked it row by row).

No list takes a field name from the request: every filter is a form with choices, every order is
fixed in the code, every cursor is signed. Here every list (desk queue, portal tickets and
devices, reports, RMA lists, the API's lists, the admin's change lists) gets the parameters an
attacker would try: ORM paths, unknown keys, another company's ids, forged cursors, broken
values. Each answers (200, or 400/404/422 for a value it cannot read), never 500 and never an
ORM error, and a customer never sees another company's rows.
"""

import pytest

from santacare.customers.tokens import issue_token
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

ORM_PATHS = [
    "customer__contacts__user__password",
    "contact__user__password",
    "-customer__api_tokens__key_hash",
    "customer__name",
    "id');DROP TABLE tickets_ticket;--",
    "__class__",
]
HOSTILE_QUERIES = [
    *[f"sort={path}" for path in ORM_PATHS],
    *[f"order_by={path}" for path in ORM_PATHS],
    *[f"o={path}" for path in ORM_PATHS],
    *[f"{path}__startswith=p" for path in ORM_PATHS[:3]],
    "status=__all__",
    "status=closed' OR 1=1 --",
    "scope=all",
    "scope=everyone",
    "queue=../../admin",
    "priority=P0",
    "channel=%00",
    "q=%00%ff",
    "q=" + "x" * 5000,
    "after=not-a-cursor",
    "after=eyJpZCI6IDF9:forged:signature",
    "after=" + "A" * 400,
    "before=-1",
    "before=abc",
    "first=2026-13&last=0000-00",
    "group=customer__contacts__user__password",
    "year=-1&month=99",
    "status=cancelled&vendor=999999",
]
# A customer has no business naming a company: the report and the lists are theirs.
CUSTOMER_ONLY = ["customer={charlie}", "customer_id={charlie}", "company={charlie}"]


@pytest.fixture
def tickets(alice, alice_device, charlie, charlie_device):
    def open_for(contact, device, subject):
        return open_ticket(
            TicketRequest(
                channel=Channel.PORTAL,
                contact=contact,
                subject=subject,
                description="Kytkin ei käynnisty.",
                serial_number=device.serial_number,
            )
        ).ticket

    return open_for(alice, alice_device, "ALICE-ROW"), open_for(
        charlie, charlie_device, "CHARLIE-ROW"
    )


def _queries(charlie):
    customer_id = charlie.customer_id
    return HOSTILE_QUERIES + [q.format(charlie=customer_id) for q in CUSTOMER_ONLY]


def _answers(client, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code in (200, 302, 400, 404, 422), (url, query, response.status_code)
    return response


@pytest.mark.parametrize(
    ("url", "own_row"),
    [
        ("/portal/tickets/", "ALICE-ROW"),
        ("/portal/devices/", "FOC2233X0AB"),
        ("/reports/mine/", ""),
    ],
)
def test_r11_customer_lists_take_no_field_names_and_show_only_their_company(
    client, alice, charlie, tickets, url, own_row
):
    alice.user = UserFactory(email=alice.email)
    alice.save(update_fields=["user"])
    client.force_login(alice.user)
    assert own_row in client.get(url).content.decode()

    for query in _queries(charlie):
        response = _answers(client, url, query)
        page = response.content.decode()
        assert "CHARLIE-ROW" not in page, query
        assert "FDO2544Y1QQ" not in page, query
        assert "Charlie Oy" not in page, query


@pytest.mark.parametrize(
    "url",
    ["/desk/", "/desk/mail/", "/rma/", "/rma/overdue/", "/rma/report/", "/reports/"],
)
def test_desk_lists_take_no_field_names(client, charlie, tickets, url):
    client.force_login(AgentFactory())

    for query in _queries(charlie):
        _answers(client, url, query)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tickets/ticket/",
        "/admin/customers/contact/",
        "/admin/accounts/user/",
        "/admin/customers/apitoken/",
        "/admin/outbox/outboundmail/",
    ],
)
def test_admin_change_lists_refuse_lookups_they_do_not_offer(client, charlie, tickets, url):
    admin = UserFactory(is_staff=True, is_superuser=True, role="admin")
    client.force_login(admin)

    for query in _queries(charlie):
        if "%00" in query:
            continue  # the admin's own list filters and NUL: the test below
        response = _answers(client, url, query)
        if "password" in query or "key_hash" in query:
            assert b"pbkdf2" not in response.content, query


@pytest.mark.parametrize("path", ["/tickets", "/devices"])
def test_r12_api_lists_take_no_field_names_and_show_only_the_tokens_company(
    client, alice, charlie, tickets, path
):
    _token, key = issue_token(name="NMS", contact=alice)
    headers = {"authorization": f"Bearer {key}"}

    assert "ALICE-ROW" in client.get("/api/v1/tickets", headers=headers).content.decode()
    for query in [
        *_queries(charlie),
        "serial_number=FDO2544Y1QQ",
        "serial_number=%",
        "serial_number=%00",
    ]:
        response = client.get(f"/api/v1{path}?{query}", headers=headers)
        assert response.status_code in (200, 400, 422), (query, response.status_code)
        body = response.content.decode()
        assert "CHARLIE-ROW" not in body, query
        assert "FDO2544Y1QQ" not in body, query


def test_admin_change_list_filter_with_a_nul_byte_is_not_a_server_error(client):
    """Django's admin hands a list filter's value to the database unchecked; PostgreSQL refuses
    a NUL in text, so the request is refused before it gets there."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="admin"))

    assert _answers(client, "/admin/tickets/ticket/", "channel=%00").status_code == 400
