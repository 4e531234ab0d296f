from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

from santacare.customers.business_id import validate_business_id
from santacare.tickets.attachments import max_attachment_bytes
from santacare.tickets.models import MAX_BODY_LENGTH, MAX_FIELD_LENGTH, Priority

MAX_FILES_PER_REPLY = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class AttachmentsMixin:
    """The `files` field's help and limit, for a form that declares it."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "Up to %(count)d files, at most %(size)d MB each: logs, configurations, photos."
        ) % {"count": MAX_FILES_PER_REPLY, "size": max_attachment_bytes() // (1024 * 1024)}

    def clean_files(self) -> list:
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_FILES_PER_REPLY:
            raise forms.ValidationError(
                _("At most %(count)d files per message.") % {"count": MAX_FILES_PER_REPLY}
            )
        return files


class NewTicketForm(AttachmentsMixin, forms.Form):
    """R3 and R9: the device comes from the install base; the person supplies the rest."""

    # Echoes the device of the URL. A different value means the page was tampered with (another
    # company's serial, say): refused, never used.
    serial_number = forms.CharField(widget=forms.HiddenInput, max_length=64)
    subject = forms.CharField(
        label=_("Short summary"),
        required=False,
        max_length=200,
        help_text=_("Optional. The first line of the description is used if left empty."),
    )
    description = forms.CharField(
        label=_("Description of the problem or request"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happens, since when, what you have tried, and what it affects."),
        error_messages={"required": _("Describe the problem or request.")},
    )
    files = MultipleFileField(label=_("Attachments"), required=False)  # type: ignore[assignment]
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P3)
    hardware_fault = forms.BooleanField(label=_("Hardware fault suspected?"), required=False)
    delivery_address = forms.CharField(
        label=_("Delivery address for the replacement part"),
        required=False,
        max_length=MAX_FIELD_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    delivery_contact = forms.CharField(
        label=_("Contact person for the delivery (name, phone)"),
        required=False,
        max_length=300,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("hardware_fault"):
            # R9: a replacement part needs somewhere to go and someone to receive it.
            if not (data.get("delivery_address") or "").strip():
                self.add_error(
                    "delivery_address",
                    _("A suspected hardware fault needs a delivery address for the part."),
                )
            if not (data.get("delivery_contact") or "").strip():
                self.add_error(
                    "delivery_contact",
                    _("A suspected hardware fault needs a contact person for the delivery."),
                )
        return data


class SerialSearchForm(forms.Form):
    serial_number = forms.CharField(
        label=_("Serial number"),
        max_length=64,
        help_text=_("Printed on the device's label, for example FOC2233X0AB."),
    )


class ReplyForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message.")},
    )
    # The form's metaclass moves declared fields into base_fields, so `self.files` stays the
    # uploads; the stubs do not know that.
    files = MultipleFileField(label=_("Attachments"), required=False)  # type: ignore[assignment]


class AccessRequestForm(forms.Form):
    """R11: company name, the person's contact details and job role."""

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    business_id = forms.CharField(
        label=_("Business ID"),
        max_length=20,
        help_text=_("Finnish business ID (Y-tunnus), for example 1234567-1."),
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    job_role = forms.CharField(label=_("Job role in the company"), max_length=200)

    def clean_business_id(self) -> str:
        value = "".join(self.cleaned_data["business_id"].split())
        validate_business_id(value)
        return value


class FocusFirstField:
    """An account page opens with the cursor in its first field. A form sent back with errors
    leaves the focus to its error summary instead."""

    first_field = ""
    fields: dict[str, forms.Field]
    is_bound: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields[self.first_field].widget.attrs["autofocus"] = True


class LoginForm(FocusFirstField, allauth_forms.LoginForm):
    first_field = "login"


class ResetPasswordForm(FocusFirstField, allauth_forms.ResetPasswordForm):
    first_field = "email"


class ResetPasswordKeyForm(FocusFirstField, allauth_forms.ResetPasswordKeyForm):
    first_field = "password1"
