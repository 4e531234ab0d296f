"""Replacement parts out, failed units back to the vendor (R13), and the install-base swap."""

import re

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel
from santacare.installbase.models import Device, ReturnInstructions, Vendor
from santacare.tickets.models import Ticket

# Vendors' part numbers: Cisco "C9300-48P-E" (spares end in "="), Juniper "MX204-HW-BASE",
# Fortinet "FG-60F", HPE "JL253A#ABB". Letters, digits and those few marks; at least one digit
# or letter first, so "-" or "==" alone is refused as an unknown part number.
PART_NUMBER_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-./=+#]{1,39}$")


class Rma(ReturnInstructions, TimestampedModel):
    """One replacement for a failed unit of a hardware-fault ticket, and the failed unit's way
    back to the vendor. The vendor's instructions and return window are copied when the RMA is
    opened, so a later change to the vendor's defaults does not move a running deadline."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SHIPPED = "shipped", _("Replacement shipped")
        DELIVERED = "delivered", _("Replacement delivered")
        RETURN_PENDING = "return_pending", _("Return pending")
        RETURNED = "returned", _("Failed unit sent back")
        RECEIVED = "received", _("Received by vendor")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        VENDOR_ADVANCE = "vendor_advance", _("Vendor's advance replacement")
        STOCK = "stock", _("Our own stock")

    # States in which the failed unit is still with the customer and the return clock runs.
    AWAITING_RETURN = (Status.DELIVERED, Status.RETURN_PENDING)
    ACTIVE = (
        Status.REQUESTED,
        Status.SHIPPED,
        Status.DELIVERED,
        Status.RETURN_PENDING,
        Status.RETURNED,
        Status.RECEIVED,
    )

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="rmas")
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="rmas"
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="rmas"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.REQUESTED, db_index=True
    )

    # The replacement part.
    part_number = models.CharField(_("part number"), max_length=40)
    part_description = models.CharField(_("part type"), max_length=200)
    source = models.CharField(
        _("source"), max_length=20, choices=Source, default=Source.VENDOR_ADVANCE
    )
    failed_serial = models.CharField(_("serial of the failed unit"), max_length=64)
    replacement_serial = models.CharField(_("serial of the replacement"), max_length=64, blank=True)
    # R9: where the part goes and who receives it, as the ticket said when the RMA was opened.
    delivery_address = models.TextField(_("delivery address"))
    delivery_contact = models.CharField(_("delivery contact"), max_length=300)

    # The shipment of the replacement; opened_at..delivered_at is the replacement-delivery clock.
    opened_at = models.DateTimeField(_("ordered"))
    promised_at = models.DateTimeField(_("promised delivery"), null=True, blank=True)
    courier = models.CharField(_("courier"), max_length=100, blank=True)
    tracking_code = models.CharField(_("tracking code"), max_length=100, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    # The return of the failed unit, directly to the vendor (R13).
    vendor_rma_number = models.CharField(_("vendor's RMA number"), max_length=60, blank=True)
    return_window_days = models.PositiveSmallIntegerField(_("return window (days)"))
    return_due = models.DateField(_("return due"), null=True, blank=True, db_index=True)
    return_courier_code = models.CharField(_("return tracking code"), max_length=100, blank=True)
    returned_at = models.DateTimeField(_("sent back"), null=True, blank=True)
    returned_by = models.CharField(_("sent back, confirmed by"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received by vendor"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("RMA")
        verbose_name_plural = _("RMAs")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "return_due"]),
            models.Index(fields=["vendor", "opened_at"]),
        ]
        constraints = [
            # One replacement unit is on one live RMA at a time; cancelled ones free it again.
            models.UniqueConstraint(
                Upper("replacement_serial"),
                condition=~models.Q(replacement_serial="") & ~models.Q(status="cancelled"),
                name="rma_replacement_serial_unique_live",
            ),
        ]

    def __str__(self) -> str:
        return f"RMA {self.pk} {self.failed_serial} ({self.ticket.tracking_number})"

    @property
    def awaits_return(self) -> bool:
        return self.status in self.AWAITING_RETURN


class DeviceSwap(models.Model):
    """The install-base history of a device: its failed serial, replaced under an RMA. Rows are
    only added; the device keeps its place (customer, site, contract) under the new serial."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="swaps")
    rma = models.OneToOneField(Rma, on_delete=models.PROTECT, related_name="swap")
    old_serial = models.CharField(_("failed serial"), max_length=64, db_index=True)
    new_serial = models.CharField(_("replacement serial"), max_length=64, db_index=True)
    contract_number = models.CharField(_("contract number"), max_length=40, blank=True)
    swapped_at = models.DateTimeField(_("swapped"))
    swapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("device swap")
        verbose_name_plural = _("device swaps")
        ordering = ["swapped_at", "id"]

    def __str__(self) -> str:
        return f"{self.old_serial} → {self.new_serial}"


class ReturnReminder(models.Model):
    """A reminder sent about a failed unit's return; the unique constraint makes each one once,
    however often (or however concurrently) the sweep runs."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", _("Return due soon")
        OVERDUE = "overdue", _("Return overdue")
        OVERDUE_SDM = "overdue_sdm", _("Overdue return, to the Service Delivery Manager")

    rma = models.ForeignKey(Rma, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    recipient = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=2)
    sent_at = models.DateTimeField(_("sent"))
    outbound_mail = models.ForeignKey(
        "outbox.OutboundMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("return reminder")
        verbose_name_plural = _("return reminders")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rma", "kind", "recipient"], name="rma_reminder_once_per_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rma_id} {self.kind} {self.recipient}"
