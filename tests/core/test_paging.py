"""The keyset pager every list page uses: ties, both directions, and cursors from outside."""

from datetime import datetime

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured

from santacare.core.paging import keyset_page
from santacare.core.time import HELSINKI
from santacare.customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ORDER = ("-created_at", "-id")
MOMENT = datetime(2026, 12, 1, 10, 0, tzinfo=HELSINKI)


def page(cursor: str = "", *, size: int = 2, salt: str = "tests.customers"):
    return keyset_page(Customer.objects.all(), order=ORDER, size=size, cursor=cursor, salt=salt)


@pytest.fixture
def customers():
    """Five customers, three of them created at the very same moment."""
    made = CustomerFactory.create_batch(5)
    for offset, customer in enumerate(made):
        minute = min(offset, 2)
        Customer.objects.filter(pk=customer.pk).update(created_at=MOMENT.replace(minute=minute))
    # Newest first; among equal times the larger id first.
    return sorted(Customer.objects.all(), key=lambda c: (c.created_at, c.pk), reverse=True)


def walk_forward():
    pages, cursor = [], ""
    for _ in range(10):
        current = page(cursor)
        pages.append(current)
        cursor = current.next_cursor
        if not cursor:
            return pages
    raise AssertionError("the pager never reached the last page")


def test_walking_forward_shows_every_row_once_in_order_even_across_ties(customers):
    pages = walk_forward()

    assert [c.pk for p in pages for c in p.items] == [c.pk for c in customers]
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[0].previous_cursor is None
    assert pages[-1].next_cursor is None


def test_walking_back_shows_the_same_pages(customers):
    forward = walk_forward()

    back, cursor = [], forward[-1].previous_cursor
    while cursor:
        current = page(cursor)
        back.append(current)
        cursor = current.previous_cursor

    assert [[c.pk for c in p.items] for p in reversed(back)] == [
        [c.pk for c in p.items] for p in forward[:-1]
    ]


def test_back_to_the_start_is_the_first_page_however_the_rows_fall(customers):
    third = walk_forward()[2]
    # Three rows back from the third row there are only two: the first page is shown whole.
    earlier = keyset_page(
        Customer.objects.all(),
        order=ORDER,
        size=3,
        cursor=page(third.previous_cursor).previous_cursor or "",
        salt="tests.customers",
    )

    assert [c.pk for c in earlier.items] == [c.pk for c in customers[:3]]
    assert earlier.previous_cursor is None


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "2026-11-24T10:00:00~1",
        "'; DROP TABLE customers_customer; --",
        signing.dumps(["n", ["2026-12-01T10:01:00+02:00", 3]], salt="another.list"),
        signing.dumps(["n", ["not a time", 3]], salt="tests.customers"),
        signing.dumps(["n", ["2026-12-01T10:01:00+02:00"]], salt="tests.customers"),
        signing.dumps(["sideways", ["2026-12-01T10:01:00+02:00", 3]], salt="tests.customers"),
        signing.dumps("n", salt="tests.customers"),
    ],
)
def test_a_cursor_not_made_by_this_list_shows_the_first_page(customers, cursor):
    shown = page(cursor)

    assert [c.pk for c in shown.items] == [c.pk for c in customers[:2]]
    assert shown.previous_cursor is None


def test_a_cursor_edited_by_hand_is_refused_by_its_signature(customers):
    cursor = page().next_cursor
    body, signature = cursor.rsplit(":", 1)
    tampered = f"{body}:{signature[::-1]}"

    assert [c.pk for c in page(tampered).items] == [c.pk for c in customers[:2]]


def test_a_page_is_one_query_wherever_it_is(customers, django_assert_num_queries):
    cursor = page().next_cursor

    with django_assert_num_queries(1):
        deep = page(cursor)

    assert [c.pk for c in deep.items] == [c.pk for c in customers[2:4]]


def test_an_empty_list_has_no_cursors(db):
    empty = page()

    assert (empty.items, empty.next_cursor, empty.previous_cursor) == ([], None, None)


def test_a_reverse_relation_in_the_key_is_a_clear_configuration_error(customers):
    cursor = page().next_cursor

    with pytest.raises(ImproperlyConfigured, match="contacts"):
        keyset_page(
            Customer.objects.all(), order=("contacts", "id"), size=2, cursor=cursor, salt="x"
        )
