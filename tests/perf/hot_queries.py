"""The desk's hot read queries, built by the project's own code, so the plan tests and the
by-hand measurement look at exactly what the pages send.

By hand, against a database filled by tests.perf.corpus, `python -m tests.perf.measure`.
"""

import statistics
from collections.abc import Callable

from django.db.models import QuerySet

from santacare.accounts.models import User
from santacare.core.time import now
from santacare.customers.models import Contact
from santacare.desk.queues import PAGE_SIZE, Filters, Queue, Sort, filtered_tickets, sorted_tickets
from santacare.tickets import queries
from santacare.tickets.models import Ticket


def desk_queue(agent: User, queue: str, text: str = "", sort: str = Sort.DUE) -> QuerySet:
    """The first page of a queue tab in the order the desk shows it (next breach first unless
    the agent sorts otherwise), as `desk.queues.ticket_page` asks for it."""
    tickets = filtered_tickets(agent, Filters(queue=queue, q=text, sort=sort), moment=now())
    return sorted_tickets(tickets, sort)[: PAGE_SIZE + 1]


def portal_list(contact: Contact, status: str, text: str = "") -> QuerySet:
    return queries.tickets_for_contact(contact, status=status, search=text)[:26]


def api_list(contact: Contact | None) -> QuerySet:
    tickets = Ticket.objects.filter(merged_into__isnull=True)
    if contact is not None:
        tickets = tickets.filter(customer_id=contact.customer_id)
    return tickets.order_by("-id")[:50]


def workspace_messages(ticket: Ticket) -> QuerySet:
    return queries.desk_conversation(ticket)


def hot_queries(
    agent: User, big: Contact, small: Contact, ticket: Ticket
) -> dict[str, Callable[[], QuerySet]]:
    return {
        "desk all": lambda: desk_queue(agent, Queue.ALL),
        "desk new": lambda: desk_queue(agent, Queue.NEW),
        "desk unassigned": lambda: desk_queue(agent, Queue.UNASSIGNED),
        "desk mine": lambda: desk_queue(agent, Queue.MINE),
        "desk waiting": lambda: desk_queue(agent, Queue.WAITING),
        "desk at risk": lambda: desk_queue(agent, Queue.AT_RISK),
        "desk all by customer": lambda: desk_queue(agent, Queue.ALL, sort=Sort.CUSTOMER),
        "desk new by customer": lambda: desk_queue(agent, Queue.NEW, sort=Sort.CUSTOMER),
        "desk mine by customer": lambda: desk_queue(agent, Queue.MINE, sort=Sort.CUSTOMER),
        "desk all by priority": lambda: desk_queue(agent, Queue.ALL, sort=Sort.PRIORITY),
        "desk all by updated": lambda: desk_queue(agent, Queue.ALL, sort=Sort.UPDATED),
        "desk search word": lambda: desk_queue(agent, Queue.ALL, "kaapelin"),
        "desk search rare words": lambda: desk_queue(agent, Queue.ALL, "tuulettimen hälytys"),
        "desk search serial": lambda: desk_queue(agent, Queue.ALL, "0a3f6"),
        "desk search customer": lambda: desk_queue(agent, Queue.ALL, "Corpus 77 Oy"),
        "portal open, big customer": lambda: portal_list(big, queries.StatusFilter.OPEN),
        "portal all, small customer": lambda: portal_list(small, queries.StatusFilter.ALL),
        "portal search, big customer": lambda: portal_list(
            big, queries.StatusFilter.ALL, "kaapelin"
        ),
        "api list, agent": lambda: api_list(None),
        "api list, small customer": lambda: api_list(small),
        "workspace messages": lambda: workspace_messages(ticket),
    }


def _execution_ms(queryset: QuerySet) -> float:
    plan = queryset.explain(analyze=True)
    line = next(line for line in plan.splitlines() if line.startswith("Execution Time"))
    return float(line.split(":")[1].split()[0])


def main(show_plans: bool) -> None:
    agent = User.objects.filter(email="agent1@corpus.example").get()
    contacts = Contact.objects.filter(email__endswith="@corpus.example").order_by("customer_id")
    big, small = contacts.first(), contacts.last()
    ticket = Ticket.objects.filter(tracking_number__startswith="SCX-").order_by("-id")[100]
    for name, build in hot_queries(agent, big, small, ticket).items():
        times = [_execution_ms(build()) for _ in range(5)]
        print(f"{name:32} {statistics.median(times):9.2f} ms")
        if show_plans:
            print(build().explain(analyze=True))
            print()
