import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.accounts.models import User
from santacare.core.models import TimestampedModel
from santacare.customers.models import Contact

TOKEN_PREFIX = "sct_"  # noqa: S105 - a visible prefix, so leaked keys are easy to find


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TimestampedModel):
    """A bearer token for an integration (a customer's monitoring system, say).

    It acts as one technical contact of one customer, or as one agent; only its SHA-256 is
    stored, so a database leak does not leak working tokens.
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
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
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

    @classmethod
    def issue(
        cls, *, name: str, contact: Contact | None = None, user: User | None = None
    ) -> tuple["ApiToken", str]:
        """Create a token; the raw key is returned once and never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name, key_hash=hash_token(raw), key_prefix=raw[:12], contact=contact, user=user
        )
        return token, raw
