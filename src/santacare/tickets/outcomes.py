"""What the one door answers: outcomes and their reasons, shared by intake and every channel
(the mail gateway stores them on the inbound mail; the desk shows their labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    CREATED = "created", _("Ticket created")
    APPENDED = "appended", _("Added to a ticket")
    INFO_REQUESTED = "info_requested", _("Ticket created, information requested")
    MUST_CALL = "must_call", _("Ticket created, customer told to call")
    REDIRECTED = "redirected", _("Redirected to the NOC")
    REFUSED = "refused", _("Refused")


class Reason(models.TextChoices):
    UNKNOWN_SENDER = "unknown_sender", _("Sender is not a known contact")
    NOT_TECHNICAL_CONTACT = "not_technical_contact", _("Sender is not a technical contact")
    UNKNOWN_SERIAL = "unknown_serial", _("Serial number not in the customer's install base")
    NO_VALID_CONTRACT = "no_valid_contract", _("No valid contract")
    MANAGED_SERVICES = "managed_services", _("Managed Services device")
    CRITICAL = "critical", _("Critical request")
    OUTSIDE_OFFICE_HOURS = "outside_office_hours", _("Outside office hours")
    NOT_ON_THIS_TICKET = "not_on_this_ticket", _("Not a contact of the ticket's company")
    EMPTY_MESSAGE = "empty_message", _("Empty message")
