"""Input shapes of the RMA pages; the rules themselves live in rma.services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from santacare.installbase.models import Vendor

from .models import Rma

# datetime-local sends "2026-11-24T14:30"; Django reads it in the current time zone (Helsinki).
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def moment_field(
    label: StrOrPromise, *, required: bool = False, help_text: StrOrPromise = ""
) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


NOW_HINT = _("Leave empty for now.")


class OpenRmaForm(forms.Form):
    part_number = forms.CharField(
        label=_("Part number of the replacement"),
        max_length=60,
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "C9300-48P-E"}),
    )
    part_description = forms.CharField(label=_("Part type"), max_length=200, required=False)
    source = forms.ChoiceField(
        label=_("Replacement from"), choices=Rma.Source, initial=Rma.Source.VENDOR_ADVANCE
    )
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.order_by("name"))
    failed_serial = forms.CharField(
        label=_("Serial of the failed unit"),
        max_length=200,
        required=False,
        help_text=_("The device's serial unless a module of it failed."),
    )
    replacement_serial = forms.CharField(
        label=_("Serial of the replacement"),
        max_length=200,
        required=False,
        help_text=_("Can be given when shipping."),
    )
    promised_at = moment_field(_("Promised delivery"))
    vendor_rma_number = forms.CharField(
        label=_("Vendor's RMA number"), max_length=60, required=False
    )


class ShipForm(forms.Form):
    courier = forms.CharField(label=_("Courier"), max_length=100)
    tracking_code = forms.CharField(label=_("Tracking code"), max_length=100)
    replacement_serial = forms.CharField(
        label=_("Serial of the unit sent"), max_length=200, required=False
    )
    shipped_at = moment_field(_("Shipped"), help_text=NOW_HINT)
    promised_at = moment_field(_("Promised delivery"))


class DeliverForm(forms.Form):
    delivered_at = moment_field(_("Delivered"), help_text=NOW_HINT)


class VendorRmaNumberForm(forms.Form):
    vendor_rma_number = forms.CharField(label=_("Vendor's RMA number"), max_length=60)


class ConfirmReturnForm(forms.Form):
    """The customer's "I have sent it back"."""

    courier_code = forms.CharField(label=_("Courier's tracking code of the return"), max_length=100)


class ReturnOnBehalfForm(ConfirmReturnForm):
    returned_at = moment_field(_("Sent back"), help_text=NOW_HINT)


class ReceivedForm(forms.Form):
    received_at = moment_field(_("Received by vendor"), help_text=NOW_HINT)


class CloseForm(forms.Form):
    pass


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + list(Rma.Status.choices), required=False
    )
    vendor = forms.ModelChoiceField(
        label=_("Vendor"),
        queryset=Vendor.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    customer = forms.CharField(label=_("Customer"), max_length=200, required=False)
    serial = forms.CharField(label=_("Serial or tracking number"), max_length=64, required=False)
    overdue = forms.BooleanField(label=_("Overdue returns only"), required=False)


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
