"""Who else has a ticket open: a short-lived note per ticket in the shared cache.

Each open workspace refreshes its agent's entry when it polls (views/live.py); an entry not
refreshed within PRESENCE_TTL is gone, so a closed tab stops counting within a minute without
anyone having to say goodbye. One cache key per ticket keeps the read to a single round trip.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

from santacare.accounts.models import User
from santacare.tickets.models import Ticket

PRESENCE_TTL = 45
POLL_SECONDS = 15


@dataclass(frozen=True, order=True)
class Viewer:
    name: str
    pk: int

    def __str__(self) -> str:
        return self.name


def _key(ticket: Ticket) -> str:
    return f"desk:presence:{ticket.pk}"


def _alive(entries: dict[str, list], moment: float) -> dict[str, list]:
    return {pk: entry for pk, entry in entries.items() if entry[1] > moment}


def saw_ticket(ticket: Ticket, agent: User) -> list[Viewer]:
    """`agent` has the ticket open now; returns the other agents who have it open too.

    Two agents writing at once may drop one entry for one poll interval; the next poll puts it
    back, which is all a notice like this needs.
    """
    moment = time.time()
    entries = _alive(cache.get(_key(ticket)) or {}, moment)
    entries[str(agent.pk)] = [str(agent), moment + PRESENCE_TTL]
    cache.set(_key(ticket), entries, timeout=PRESENCE_TTL)
    return sorted(
        Viewer(name=entry[0], pk=int(pk)) for pk, entry in entries.items() if pk != str(agent.pk)
    )
