"""Signals the one writers send, inside their transaction, for apps above that want to know
(the webhooks): the lower layers never import who listens.

Receivers run in the writer's transaction; anything they send outside must wait for the commit
(`transaction.on_commit`), so a rolled-back change is never announced.
"""

from django.dispatch import Signal

# sender=Ticket, ticket=the new ticket, not yet saved, with its status, service level and priority
# decided, events=the unsaved events logged with its opening (tickets/intake.py::open_ticket):
# just before its INSERT, for copies derived from the ticket to go into that INSERT (the SLA
# next-breach index) rather than into an UPDATE of their own.
ticket_opening = Signal()
# sender=Ticket, ticket=the new ticket (tickets/intake.py::open_ticket)
ticket_opened = Signal()
# sender=Message, message=the message counted on its ticket (tickets/conversation.py)
message_added = Signal()
# sender=Ticket, ticket, old, new, by_label (tickets/status.py::move_ticket)
status_changed = Signal()
