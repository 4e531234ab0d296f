"""The desk's own rows: the canned replies the admin keeps for the Reply composer."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel


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
