from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from santacare.customers.models import Customer

from .dimensions import Dimension

MONTH_INPUT_FORMATS = ["%Y-%m"]


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

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


class RowForm(forms.Form):
    """One row of the report, as its drill-down link names it."""

    group = forms.ChoiceField(choices=list(Dimension.LABELS.items()))
    month = forms.DateField(input_formats=MONTH_INPUT_FORMATS)
    key = forms.CharField(max_length=64, required=False, strip=False)
    portal = forms.BooleanField(required=False)
    customer = forms.IntegerField(required=False, min_value=1)
