from datetime import date
from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from santacare.core.time import helsinki, now
from santacare.customers.models import Customer

from .dimensions import Dimension

MONTH_INPUT_FORMATS = ["%Y-%m"]
MONTHS_OFFERED = 60  # five years back; an older month still works from a link


class MonthField(forms.DateField):
    """A month picked from a list worded as the report words months ("joulukuu 2026"): a
    browser's own month input shows its own format, or none at all in some browsers."""

    widget = forms.Select

    def __init__(self, **kwargs) -> None:
        super().__init__(input_formats=MONTH_INPUT_FORMATS, required=False, **kwargs)


class ReportForm(forms.Form):
    # Initially what the report shows before the form is sent: by priority.
    group = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=list(Dimension.LABELS.items()),
        initial=Dimension.PRIORITY,
    )
    first = MonthField(label=_("From month"))
    last = MonthField(label=_("To month"))
    portal = forms.BooleanField(label=_("Only tickets opened in the portal"), required=False)

    def __init__(self, *args, customer_choice: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = helsinki(now()).date()
        first, last = default_period(today)
        self.initial.setdefault("first", first.strftime("%Y-%m"))
        self.initial.setdefault("last", last.strftime("%Y-%m"))
        if self.is_bound and not (self.data.get("first") and self.data.get("last")):
            # A link naming no month shows the default months, and the lists must say so.
            data = dict(self.data.items())
            for name in ("first", "last"):
                data[name] = data.get(name) or self.initial[name]
            self.data = data
        for name in ("first", "last"):
            widget = cast(forms.Select, self.fields[name].widget)
            widget.choices = month_choices(today, chosen=self.data.get(name, ""))
        if customer_choice:
            self.fields["customer"] = forms.ModelChoiceField(
                label=_("Customer"),
                queryset=Customer.objects.order_by("name"),
                required=False,
                empty_label=_("All customers"),
            )
        else:
            # A customer sees its own company only; grouping by customer would say nothing.
            cast(forms.ChoiceField, self.fields["group"]).choices = [
                (key, label) for key, label in Dimension.LABELS.items() if key != Dimension.CUSTOMER
            ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("first"), data.get("last")
        if first and last and first > last:
            raise forms.ValidationError(_("The first month must not be after the last."))
        return data


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, this one included."""
    last = today.replace(day=1)
    # Eleven months back: Dec → Jan of the same year, otherwise the next month a year ago.
    months = last.year * 12 + last.month - 1 - 11
    first = date(months // 12, months % 12 + 1, 1)
    return first, last


def month_choices(today: date, *, chosen: str = "") -> list[tuple[str, str]]:
    """The months up to this one, newest first, plus a month a link chose from further back."""
    months = today.year * 12 + today.month - 1
    firsts = [date(m // 12, m % 12 + 1, 1) for m in range(months, months - MONTHS_OFFERED, -1)]
    choices = [(m.strftime("%Y-%m"), date_format(m, "YEAR_MONTH_FORMAT")) for m in firsts]
    if chosen and chosen not in dict(choices):
        try:
            year, number = (int(part) for part in chosen.split("-"))
            month = date(year, number, 1)
        except ValueError:
            return choices
        choices.append((chosen, date_format(month, "YEAR_MONTH_FORMAT")))
    return choices


class RowForm(forms.Form):
    """One row of the report, as its drill-down link names it."""

    group = forms.ChoiceField(choices=list(Dimension.LABELS.items()))
    month = forms.DateField(input_formats=MONTH_INPUT_FORMATS)
    key = forms.CharField(max_length=64, required=False, strip=False)
    portal = forms.BooleanField(required=False)
    customer = forms.IntegerField(required=False, min_value=1)
