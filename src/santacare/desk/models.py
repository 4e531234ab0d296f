"""What the desk keeps of its own: each agent's saved queue filters."""

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
