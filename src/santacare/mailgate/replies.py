"""The tickets a batch's replies name by tracking number: locked and read in one statement for
the whole batch, instead of a read and a locking read for each mail (issue 12)."""

from collections.abc import Iterable

from santacare.tickets.models import Ticket


class ReplyTickets:
    def __init__(self, tracking_numbers: Iterable[str]) -> None:
        wanted = set(tracking_numbers)
        tickets = Ticket.objects.select_for_update().filter(tracking_number__in=wanted)
        # In the order of the primary key, as every batch takes them: two batches never wait
        # for each other crosswise.
        self._fresh = {t.tracking_number: t for t in tickets.order_by("pk")} if wanted else {}

    def take(self, tracking_number: str | None) -> Ticket | None:
        """The ticket, locked and as stored, for the first mail that names it; None after
        that (the first mail may have changed it, so the next one reads it again)."""
        return self._fresh.pop(tracking_number, None) if tracking_number else None
