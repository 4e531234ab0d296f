"""What a token may see and do: its company's tickets (a contact) or all of them (an agent)."""

from django.db.models import QuerySet

from santacare.accounts.models import User
from santacare.customers.models import ApiToken
from santacare.tickets.models import Ticket
from santacare.tickets.tracking import ticket_by_tracking_number

from .problems import ApiProblem, ProblemCode


def tickets_for(token: ApiToken) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(merged_into__isnull=True)
    if token.contact:
        tickets = tickets.filter(customer_id=token.contact.customer_id)
    return tickets


def ticket_or_404(token: ApiToken, tracking_number: str) -> Ticket:
    """The ticket, if the token may see it; another company's ticket is as unknown as a typo."""
    ticket = ticket_by_tracking_number(tracking_number, scope=tickets_for(token))
    if ticket is None:
        raise ApiProblem(ProblemCode.NOT_FOUND)
    return ticket


def require_agent(token: ApiToken) -> User:
    """The agent a token acts as; a customer's token gets 403, before any id is looked up."""
    if token.user is None:
        raise ApiProblem(ProblemCode.AGENTS_ONLY)
    return token.user
