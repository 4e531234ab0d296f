"""The form of a new API token, the same in the portal and the desk."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .tokens import DEFAULT_LIFETIME_DAYS, LIFETIME_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “Network monitoring”."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=DEFAULT_LIFETIME_DAYS,
        choices=[
            (days, ngettext_lazy("%(days)d day", "%(days)d days", days) % {"days": days})
            for days in LIFETIME_DAYS
        ],
    )
