from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A login: an agent of the desk, or a customer's technical contact (linked from Contact)."""

    class Role(models.TextChoices):
        CUSTOMER = "customer", _("Customer contact")
        AGENT = "agent", _("Agent")
        TEAM_LEAD = "team_lead", _("Team lead")
        ADMIN = "admin", _("Administrator")

    email = models.EmailField(_("email"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # Staff only: customers are given their Service Delivery Manager's number (R15).
    phone = models.CharField(_("phone"), max_length=40, blank=True, db_default="")
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.CUSTOMER)
    language = models.CharField(_("language"), max_length=5, default="fi")
    is_active = models.BooleanField(_("active"), default=True)
    # The agent's desk phone on the switchboard: its ringing pops the caller's card in the desk.
    phone_extension = models.CharField(
        _("phone extension"), max_length=40, blank=True, db_index=True, db_default=""
    )
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs) -> None:
        # Addresses are compared case-insensitively everywhere; storing them lower-case lets a
        # plain unique index stand for that.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_agent(self) -> bool:
        return self.is_active and self.role != self.Role.CUSTOMER

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email
