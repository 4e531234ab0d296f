"""Ticket search (tickets/search.py): one predicate for the desk, the portal and the API.

On PostgreSQL the words come from stored `finnish` vectors kept by triggers (migration tickets
0008); these tests prove the triggers keep them right as tickets and messages change, and that
a customer's search never finds a ticket by words only agents can read (R4: internal notes
and held mail are the desk's).
"""

import pytest
from django.db import connection

from santacare.tickets.conversation import add_message, add_system_note, release_held_message
from santacare.tickets.intake import TicketRequest, open_ticket
from santacare.tickets.models import Channel, Ticket
from santacare.tickets.search import search_tickets
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def _open(contact, device, subject, description="Kuvaus puuttuu."):
    return open_ticket(
        TicketRequest(
            channel=Channel.PORTAL,
            contact=contact,
            subject=subject,
            description=description,
            serial_number=device.serial_number,
        )
    ).ticket


def found(text, *, internal=True, tickets=None):
    queryset = Ticket.objects.all() if tickets is None else tickets
    return sorted(t.tracking_number for t in search_tickets(queryset, text, internal=internal))


@pytest.fixture
def switch(alice, alice_device):
    return _open(alice, alice_device, "Kytkin käynnistyy uudelleen", "Tuuletin pitää ääntä.")


@pytest.fixture
def router(charlie, charlie_device):
    return _open(charlie, charlie_device, "Reititin jumittaa", "Linkki katkeilee yöllä.")


def test_words_of_the_subject_and_description_find_the_ticket(switch, router):
    assert found("kytkin") == [switch.tracking_number]
    assert found("tuuletin") == [switch.tracking_number]
    assert found("katkeilee") == [router.tracking_number]


def test_r12_a_tracking_number_finds_its_ticket_and_nothing_else(switch, router):
    assert found(switch.tracking_number.lower()) == [switch.tracking_number]
    # Part of one is matched as text, so an agent can still look one up from a fragment.
    assert found(router.tracking_number[3:8]) == [router.tracking_number]


def test_a_serial_number_fragment_finds_the_ticket(switch, router):
    assert found("2544y1") == [router.tracking_number]
    assert found("FOC2233X0AB") == [switch.tracking_number]


def test_the_customers_name_or_business_id_finds_its_tickets(switch, router, charlie):
    assert found("charlie") == [router.tracking_number]
    assert found(charlie.customer.business_id) == [router.tracking_number]


def test_an_empty_or_hostile_text_leaves_the_list_as_it_was(switch, router):
    everything = sorted([switch.tracking_number, router.tracking_number])
    assert found("") == everything
    assert found("   ") == everything
    # A NUL in a query parameter is a PostgreSQL error unless cleaned first.
    assert found("kytkin\x00") == [switch.tracking_number]
    assert found("'\"()&|!:*<->") == []
    assert found("%") == []


def test_a_later_message_is_found_as_soon_as_it_is_stored(switch, alice):
    assert found("virtalähde") == []
    add_message(
        switch, body="Myös virtalähde vaihdettu.", channel=Channel.PORTAL, author_contact=alice
    )
    assert found("virtalähde") == [switch.tracking_number]


def test_r4_a_customer_never_finds_a_ticket_by_an_internal_note(switch, alice):
    agent = AgentFactory()
    add_message(
        switch,
        body="Salainen huomio: takuu umpeutunut.",
        channel=Channel.DESK,
        author_user=agent,
        internal=True,
    )
    add_system_note(switch, body="Palautusviesti postipalvelimelta.")
    company = Ticket.objects.filter(customer=alice.customer)

    assert found("takuu", internal=True) == [switch.tracking_number]
    assert found("postipalvelimelta", internal=True) == [switch.tracking_number]
    assert found("takuu", internal=False, tickets=company) == []
    assert found("postipalvelimelta", internal=False, tickets=company) == []


def test_held_mail_is_searchable_by_the_customer_only_once_released(switch, alice):
    held = add_message(
        switch,
        body="Epäilyttävä liite mukana.",
        channel=Channel.EMAIL,
        author_contact=alice,
        held_for_review=True,
    ).message
    assert found("epäilyttävä", internal=False) == []
    assert found("epäilyttävä", internal=True) == [switch.tracking_number]

    release_held_message(held, by=AgentFactory())

    assert found("epäilyttävä", internal=False) == [switch.tracking_number]


def test_a_changed_subject_is_searched_by_its_new_words(switch):
    switch.subject = "Palomuuri hylkää liikenteen"
    switch.save()

    assert found("palomuuri") == [switch.tracking_number]
    assert found("käynnistyy") == []


@pytest.mark.postgres
def test_finnish_forms_of_a_word_find_each_other_on_postgresql(alice, alice_device):
    if connection.vendor != "postgresql":
        pytest.skip("Finnish full-text search is PostgreSQL's; SQLite matches substrings")
    ticket = _open(alice, alice_device, "Kaapelit irti", "Kytkimen kaapelit irtosivat.")

    assert found("kaapelin") == [ticket.tracking_number]
    assert found("kytkimessä") == [ticket.tracking_number]
    # websearch syntax: a quoted phrase, and "-word" to leave tickets out.
    assert found('"kaapelit irtosivat"') == [ticket.tracking_number]
    assert found("kaapelin -kytkimen") == []


def test_a_search_costs_two_queries_however_many_tickets_match(
    switch, router, alice, alice_device, django_assert_num_queries
):
    for number in range(5):
        _open(alice, alice_device, f"Kytkin {number} ei vastaa")

    # One for the few customers the text may name, one for the tickets.
    with django_assert_num_queries(2):
        assert len(found("kytkin")) == 6
