"""What the desk keeps of its own: each agent's saved queue filters, and the canned
replies the admin keeps for the Reply composer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel

MAX_SAVED_FILTERS = 30


class SavedFilter(TimestampedModel):
    """A named queue view (tab, filters, search, sort) as its query string, for one agent."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("query"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="desk_saved_filter_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CannedReply(TimestampedModel):
    """A ready answer in both languages; placeholders are filled per ticket (see canned.py)."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    body_fi = models.TextField(
        _("text in Finnish"),
        help_text=_("Placeholders: {contact}, {tracking_number}, {due}, {agent}."),
    )
    body_en = models.TextField(
        _("text in English"),
        blank=True,
        help_text=_("Left empty, English-speaking contacts get the Finnish text."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position in the list"), default=100)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title
