"""Ticket search: the one predicate behind the desk's queue search, the portal's ticket list
search and the API's ticket list filter.

A tracking number finds its ticket and nothing else. Any other text finds the tickets whose
words (subject, description, device type, the messages' text) match it, whose serial number or
tracking number contains it, or whose customer's name contains it (or business ID is it).

On PostgreSQL the words are matched against stored `finnish` search vectors on the ticket row,
kept by triggers (migration tickets 0008), so "kaapelin" finds "kaapelit" and a search reads an
index instead of building every ticket's vector per request; serial and tracking numbers are
matched through trigram indexes. Every condition is on the ticket table itself, so PostgreSQL
can combine the indexes or walk the newest tickets, whichever is cheaper. SQLite, the embedded
default, matches substrings.
"""

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from santacare.core.text import search_text
from santacare.customers.models import Customer

from .models import Message, Ticket
from .tracking import parse_tracking_number

MAX_QUERY_LENGTH = 200
# pg_trgm indexes three-character pieces: a shorter fragment would make it read every entry,
# and a serial or tracking number is never searched by one or two characters anyway.
MIN_FRAGMENT_LENGTH = 3
MAX_CUSTOMERS = 20
SEARCH_CONFIG = "finnish"
# What the customer can read, and what only agents can (internal notes, held mail).
PUBLIC_VECTOR = "search_vector"
INTERNAL_VECTOR = "internal_search_vector"


class StoredVector(Expression):
    """A vector column the 0008 migration keeps on PostgreSQL's ticket table. The model does
    not declare it, so no list query selects it."""

    output_field = SearchVectorField()

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        alias = compiler.query.get_initial_alias()
        # A list, not the tuple the stubs name: the search lookup adds the query's list to it.
        return f"{compiler.quote_name_unless_alias(alias)}.{self.column}", []


def search_tickets(tickets: QuerySet[Ticket], text: str, *, internal: bool) -> QuerySet[Ticket]:
    """`tickets` narrowed to those matching `text` (unchanged for an empty text).

    `internal` is the agents' view: internal notes and held mail are searched too. A
    customer's search (portal, a contact's API token) matches only what the customer can read.
    """
    text = search_text(text, max_length=MAX_QUERY_LENGTH)
    if not text:
        return tickets
    tracking_number = parse_tracking_number(text)
    if tracking_number:
        return tickets.filter(tracking_number=tracking_number)
    if connection.vendor == "postgresql":
        tickets, condition = _words_postgresql(tickets, text, internal=internal)
    else:
        condition = _words_substring(text, internal=internal)
    # Serial and tracking numbers have no spaces: a phrase is not looked for in them.
    if len(text) >= MIN_FRAGMENT_LENGTH and not any(c.isspace() for c in text):
        condition |= Q(serial_number__icontains=text) | Q(tracking_number__icontains=text)
    # Customers are few: their ids first, so the ticket side stays an index condition
    # (customer_id IN (…)) that can join the others, rather than a join that cannot.
    # A text that names more than a handful of customers ("oy") names none in particular.
    customer_ids = list(
        Customer.objects.filter(Q(name__icontains=text) | Q(business_id=text)).values_list(
            "pk", flat=True
        )[: MAX_CUSTOMERS + 1]
    )
    if 0 < len(customer_ids) <= MAX_CUSTOMERS:
        condition |= Q(customer_id__in=customer_ids)
    return tickets.filter(condition)


def _words_postgresql(
    tickets: QuerySet[Ticket], text: str, *, internal: bool
) -> tuple[QuerySet[Ticket], Q]:
    words = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    tickets = tickets.alias(public_words=StoredVector(PUBLIC_VECTOR))
    condition = Q(public_words=words)
    if internal:
        tickets = tickets.alias(internal_words=StoredVector(INTERNAL_VECTOR))
        condition |= Q(internal_words=words)
    return tickets, condition


def _words_substring(text: str, *, internal: bool) -> Q:
    messages = Message.objects.filter(body__icontains=text)
    if not internal:
        messages = messages.filter(visibility=Message.Visibility.PUBLIC, held_for_review=False)
    return (
        Q(subject__icontains=text)
        | Q(description__icontains=text)
        | Q(device_type__icontains=text)
        | Q(pk__in=messages.order_by().values("ticket_id"))
    )
