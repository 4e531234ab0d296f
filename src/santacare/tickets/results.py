"""The value the door returns to every channel: what happened, to which ticket, and why."""

from dataclasses import dataclass, field

from santacare.customers.models import Contact
from santacare.installbase.models import Device

from .models import Message, Ticket
from .outcomes import Outcome, Reason
from .wording import explain


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    ticket: Ticket | None = None
    reason: Reason | None = None
    missing: tuple[str, ...] = ()
    message: Message | None = None
    device: Device | None = field(default=None, compare=False)
    # Set on refusals that send the contact to their Service Delivery Manager, to name them.
    contact: Contact | None = field(default=None, compare=False)

    @property
    def tracking_number(self) -> str | None:
        return self.ticket.tracking_number if self.ticket else None

    def explanation(self) -> str:
        """What the customer (or the agent) is told, in the active language."""
        return explain(
            self.outcome,
            reason=self.reason,
            missing=self.missing,
            tracking_number=self.tracking_number,
            sdm=self.contact.customer.sdm_contact_line if self.contact else "",
        )
