import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from santacare.calendars.models import Coverage
from santacare.core.models import TimestampedModel
from santacare.customers.models import Customer, Site

SERIAL_NUMBER_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-/.]{2,63}$")


def normalize_serial_number(value: str) -> str:
    return value.strip().upper()


def validate_serial_number(value: str) -> None:
    if not SERIAL_NUMBER_RE.match(value):
        raise ValidationError(
            _("A serial number has 3–64 letters, digits, hyphens, slashes or dots."), code="format"
        )


class ServiceLevel(TimestampedModel):
    """A SantaCare service level: what is covered and how fast (R1). Targets: see sla."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    coverage = models.CharField(
        _("coverage"), max_length=20, choices=Coverage, default=Coverage.OFFICE_HOURS
    )
    # R8: under SantaCare Advanced, requests outside office hours must be phoned in.
    phone_only_outside_office_hours = models.BooleanField(
        _("outside office hours only by phone"), default=False
    )

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReturnInstructions(models.Model):
    """A vendor's instructions for sending a failed unit back, kept in both languages so that
    every page and mail shows them in its reader's language (R13)."""

    return_instructions_fi = models.TextField(
        _("return instructions in Finnish"), blank=True, db_default=""
    )
    # The column keeps its name from when only English was kept: the release before this one
    # still reads it during an upgrade.
    return_instructions_en = models.TextField(
        _("return instructions in English"), blank=True, db_column="return_instructions"
    )

    class Meta:
        abstract = True

    @property
    def return_instructions(self) -> str:
        """The instructions in the active language; the other language when only it is kept,
        because instructions in the other language beat none when a unit must go back."""
        finnish, english = self.return_instructions_fi, self.return_instructions_en
        if (get_language() or "fi").startswith("en"):
            return english or finnish
        return finnish or english


class Vendor(ReturnInstructions, TimestampedModel):
    """An equipment vendor; failed units go back to it directly (R13)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    return_window_days = models.PositiveSmallIntegerField(_("return window (days)"), default=10)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(TimestampedModel):
    class Product(models.TextChoices):
        MAINTENANCE = "maintenance", _("SantaCare Maintenance")
        MANAGED_SERVICES = "managed_services", _("SantaCare Managed Services")

    number = models.CharField(_("contract number"), max_length=40, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    product = models.CharField(
        _("product"), max_length=20, choices=Product, default=Product.MAINTENANCE
    )
    service_level = models.ForeignKey(
        ServiceLevel,
        verbose_name=_("service level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="contract_valid_to_after_valid_from",
            ),
            models.CheckConstraint(
                condition=models.Q(product="managed_services")
                | models.Q(service_level__isnull=False),
                name="maintenance_contract_has_service_level",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The contract must end after it starts.")})
        if self.product == self.Product.MAINTENANCE and not self.service_level_id:
            raise ValidationError(
                {"service_level": _("A Maintenance contract needs a service level.")}
            )

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    @property
    def is_managed_services(self) -> bool:
        return self.product == self.Product.MANAGED_SERVICES


class Device(TimestampedModel):
    """A unit in the customer's install base, found by its serial number."""

    serial_number = models.CharField(
        _("serial number"), max_length=64, unique=True, validators=[validate_serial_number]
    )
    device_type = models.CharField(_("device type"), max_length=200)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="devices")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="devices")
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="devices"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="devices"
    )

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial_number"]
        constraints = [
            models.UniqueConstraint(Upper("serial_number"), name="device_serial_unique_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.device_type} ({self.serial_number})"

    def save(self, *args, **kwargs) -> None:
        self.serial_number = normalize_serial_number(self.serial_number)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        contract, site = self.contract, self.site
        if contract is not None and self.customer_id and contract.customer_id != self.customer_id:
            raise ValidationError({"contract": _("The contract belongs to another customer.")})
        if site is not None and self.customer_id and site.customer_id != self.customer_id:
            raise ValidationError({"site": _("The site belongs to another customer.")})

    @property
    def description(self) -> str:
        return f"{self.vendor} {self.device_type}"
