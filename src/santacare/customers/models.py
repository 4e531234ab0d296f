from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel

from .business_id import validate_business_id
from .phones import to_e164


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    ENGLISH = "en", _("English")


class Customer(TimestampedModel):
    name = models.CharField(_("company name"), max_length=200)
    business_id = models.CharField(
        _("business ID"), max_length=9, unique=True, validators=[validate_business_id]
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language, default=Language.FINNISH
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Contacts are offered a second factor; a company may ask us to make it compulsory for its
    # people, who then cannot reach the portal before they have set one up.
    mfa_required = models.BooleanField(_("two-factor authentication required"), default=False)
    # R15: the customer's Service Delivery Manager, shown in the portal and told of SLA breaches.
    service_delivery_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Service Delivery Manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        # The desk's queue sorted by customer walks the customers in name order, each one's
        # tickets joined until the page is full, instead of sorting every ticket.
        indexes = [models.Index(fields=["name"], name="customer_name_idx")]

    @property
    def sdm_contact_line(self) -> str:
        """The Service Delivery Manager's name, phone and email on one line, or "" when none is
        named: wherever a customer is sent to their SDM, they are told how to reach them (R15)."""
        sdm = self.service_delivery_manager
        if sdm is None:
            return ""
        return ", ".join(part for part in (sdm.full_name, sdm.phone, sdm.email) if part)

    def __str__(self) -> str:
        return self.name


class Site(TimestampedModel):
    """A place of the customer's where devices stand; the default delivery address for parts."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="FI")

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["customer", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    @property
    def delivery_address(self) -> str:
        return f"{self.customer.name}\n{self.street_address}\n{self.postal_code} {self.city}"


class Contact(TimestampedModel):
    """A person of the customer. Only technical contacts may open tickets or log in (R11)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Filled from `phone` on every save (customers/phones.py): the phone system's lookup key.
    phone_e164 = models.CharField(
        _("phone (E.164)"),
        max_length=20,
        blank=True,
        editable=False,
        db_index=True,
        db_default="",
    )
    job_role = models.CharField(_("job role"), max_length=200, blank=True)
    is_technical = models.BooleanField(_("technical contact"), default=False)
    language = models.CharField(
        _("language"), max_length=2, choices=Language, default=Language.FINNISH
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Set when mail to this address bounces, so agents know to phone instead.
    email_bouncing_since = models.DateTimeField(_("email bouncing since"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "name"]
        # Mail is matched to people by address, so one address is one person.
        constraints = [models.UniqueConstraint(Lower("email"), name="contact_email_unique_ci")]
        indexes = [models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        self.phone_e164 = to_e164(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_e164"}
        super().save(*args, **kwargs)

    @property
    def may_open_tickets(self) -> bool:
        return self.is_technical and self.is_active and self.customer.is_active


class AccessRequest(TimestampedModel):
    """A request for a portal account (R11), kept whatever its fate, as the record of who asked."""

    class Status(models.TextChoices):
        AWAITING_VERIFICATION = "awaiting_verification", _("Email verification sent")
        PENDING = "pending", _("Waiting for an agent")
        APPROVED = "approved", _("Approved, waiting for the person to activate")
        ACTIVATED = "activated", _("Account activated")
        DECLINED = "declined", _("Declined")
        REFUSED = "refused", _("Refused: not a technical contact")

    company_name = models.CharField(_("company name"), max_length=200)
    business_id = models.CharField(_("business ID"), max_length=9)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=40)
    job_role = models.CharField(_("job role"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language, default=Language.FINNISH
    )
    status = models.CharField(_("status"), max_length=30, choices=Status)
    # The company the business ID matched, if any; agents approve only into a known company.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="access_requests"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="access_requests"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        verbose_name = _("portal access request")
        verbose_name_plural = _("portal access requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>, {self.company_name}"

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class ApiToken(TimestampedModel):
    """A bearer token for an integration (a customer's monitoring system, an agent's script).

    It acts as one technical contact of one customer, or as one agent; only its SHA-256 is
    stored, so a database leak does not leak working tokens. It lives here, below the portal,
    the desk and the API, because all three issue or read it (customers.tokens). The table
    keeps the name it had when the API app owned the model.
    """

    name = models.CharField(_("name"), max_length=200)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(_("starts with"), max_length=12)
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        db_table = "api_apitoken"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=True) ^ models.Q(user__isnull=True),
                name="api_token_acts_as_contact_or_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"
