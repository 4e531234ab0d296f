"""Who sent a mail: an agent (a user of the desk) or a contact; found once per batch of mail.

One mail looked its sender up as a user and then as a contact, two statements each time; a
batch of fifty asks both questions once for all its senders, through the lower(email) index
that `contact_by_email` uses too.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import Lower

from santacare.accounts.models import User
from santacare.core.time import now
from santacare.customers.models import Contact

from .details import BatchDevices
from .models import InboundMail

# The outcomes that count against the per-sender cap on new tickets.
OPENED_A_TICKET = (
    InboundMail.Outcome.CREATED,
    InboundMail.Outcome.INFO_REQUESTED,
    InboundMail.Outcome.MUST_CALL,
)


class Senders:
    """The agents and contacts behind a set of From addresses, looked up on first use."""

    def __init__(self, addresses: Iterable[str] = ()) -> None:
        self._wanted = {a.strip().lower() for a in addresses if a and a.strip()}
        self._agents: dict[str, User] = {}
        self._contacts: dict[str, Contact] = {}
        self._known: set[str] = set()
        self._addresses = {a for a in addresses if a}
        self._opened: dict[str, int] | None = None
        self.devices: BatchDevices | None = None

    def sender(self, address: str) -> tuple[Contact | None, User | None]:
        """(contact, None) for a customer's contact, (None, agent) for an active agent."""
        key = address.strip().lower()
        if not key:
            return None, None
        if key not in self._known:
            self._load({key} | (self._wanted - self._known))
        agent = self._agents.get(key)
        if agent is not None and agent.is_agent:
            return None, agent
        return self._contacts.get(key), None

    def find_devices(self, texts: Iterable[tuple[str, str]]) -> None:
        """(From address, text) of a batch's mails: the devices their serials name in their
        senders' install bases, read in one statement for `find_device`."""
        pairs = []
        for address, text in texts:
            contact, _agent = self.sender(address)
            if contact is not None:
                pairs.append((contact.customer_id, text))
        self.devices = BatchDevices(pairs)

    def _load(self, keys: set[str]) -> None:
        users = User.objects.alias(email_lower=Lower("email")).filter(
            email_lower__in=keys, is_active=True
        )
        for user in users.order_by("pk"):
            self._agents.setdefault(user.email.lower(), user)
        contacts = (
            Contact.objects.select_related("customer")
            .alias(email_lower=Lower("email"))
            .filter(email_lower__in=keys)
        )
        for contact in contacts.order_by("pk"):
            self._contacts.setdefault(contact.email.lower(), contact)
        self._known |= keys

    def tickets_opened_last_hour(self, address: str) -> int:
        """New tickets mail from this very address opened in the last hour (the rate cap),
        counted for the whole batch in one statement; `opened` adds the batch's own."""
        if self._opened is None or address not in self._opened:
            wanted = ({address} | self._addresses) - set(self._opened or {})
            self._opened = dict.fromkeys(wanted, 0) | (self._opened or {})
            counts = (
                InboundMail.objects.filter(
                    from_address__in=wanted,
                    received_at__gt=now() - timedelta(hours=1),
                    outcome__in=OPENED_A_TICKET,
                )
                .values_list("from_address")
                .annotate(opened=Count("pk"))
            )
            self._opened.update(dict(counts))
        return self._opened[address]

    def opened(self, address: str) -> None:
        if self._opened is not None and address in self._opened:
            self._opened[address] += 1
