"""Input shapes of the desk; the rules themselves live in the services."""

from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from santacare.accounts.models import User
from santacare.customers.models import Contact
from santacare.installbase.models import Device
from santacare.telephony.models import Call
from santacare.tickets.models import Channel, Priority, Ticket

from .bulk import MAX_BULK_TICKETS, BulkAction, BulkChange
from .models import SavedFilter
from .queues import Queue, Sort

TEXTAREA = {"rows": 4}


class PhoneIntakeForm(forms.Form):
    """R7 and R9: everything the ticket needs is asked on the call, none of it guessed."""

    label_suffix = ""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.select_related("customer"), widget=forms.HiddenInput
    )
    device = forms.ModelChoiceField(
        queryset=Device.objects.select_related("vendor", "contract"), widget=forms.HiddenInput
    )
    # The phone system's call this intake came from (the banner's link): recorded on the ticket.
    call = forms.ModelChoiceField(
        queryset=Call.objects.all(), widget=forms.HiddenInput, required=False
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=200,
        help_text=_("Optional. The first line of the description is used if left empty."),
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    description = forms.CharField(
        label=_("Description of the problem"), widget=forms.Textarea(attrs=TEXTAREA)
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority, initial=Priority.P3)
    hardware_fault = forms.BooleanField(label=_("Hardware fault suspected"), required=False)
    delivery_address = forms.CharField(
        label=_("Delivery address for the replacement part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    delivery_contact = forms.CharField(
        label=_("Contact person for the delivery (name, phone)"), max_length=300, required=False
    )
    add_as_technical_contact = forms.BooleanField(
        label=_("The company confirmed: add the caller as a technical contact"), required=False
    )
    confirmed_by = forms.CharField(
        label=_("Confirmed by (name and role at the company)"), max_length=200, required=False
    )
    out_of_contract = forms.BooleanField(
        label=_("The caller agrees: open as billable work outside the contract"), required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        contact, device = data.get("contact"), data.get("device")
        if contact and device and device.customer_id != contact.customer_id:
            raise forms.ValidationError(
                _("The device belongs to another customer than the caller."), code="customer"
            )
        if data.get("hardware_fault"):
            for name in ("delivery_address", "delivery_contact"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("Required when a hardware fault is suspected."))
        if contact and not contact.is_technical:
            if not data.get("add_as_technical_contact"):
                self.add_error(
                    "add_as_technical_contact",
                    _("The caller is not a technical contact of the company."),
                )
            elif not (data.get("confirmed_by") or "").strip():
                self.add_error("confirmed_by", _("Say who at the company confirmed it."))
        return data


class QueueFilterForm(forms.Form):
    queue = forms.ChoiceField(choices=list(Queue.LABELS.items()), required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Ticket.Status.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any priority")), *Priority.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any channel")), *Channel.choices], required=False
    )
    sort = forms.ChoiceField(choices=list(Sort.LABELS.items()), required=False)
    after = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)


def active_agents() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True)
        .exclude(role=User.Role.CUSTOMER)
        .order_by("full_name", "email")
    )


def _agents() -> forms.ModelChoiceField[User]:
    return forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=active_agents(),
        required=False,
        empty_label=_("Nobody"),
    )


class BulkActionForm(forms.Form):
    """The queue's checked rows and what to do to all of them."""

    tickets = forms.ModelMultipleChoiceField(
        queryset=Ticket.objects.all(),
        to_field_name="tracking_number",
        error_messages={"required": _("Select at least one ticket.")},
    )
    action = forms.ChoiceField(choices=[(action.value, action.value) for action in BulkAction])
    assignee = _agents()
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Status…")), *Ticket.Status.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Priority…")), *Priority.choices], required=False
    )
    back = forms.CharField(required=False, max_length=2000)

    def clean_tickets(self) -> list[Ticket]:
        tickets = list(self.cleaned_data["tickets"])
        if len(tickets) > MAX_BULK_TICKETS:
            raise forms.ValidationError(
                _("At most %(count)d tickets at a time."), params={"count": MAX_BULK_TICKETS}
            )
        return tickets

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        if action == BulkAction.STATUS and not data.get("status"):
            self.add_error("status", _("Choose the status to set."))
        if action == BulkAction.PRIORITY and not data.get("priority"):
            self.add_error("priority", _("Choose the priority to set."))
        return data

    def change(self) -> BulkChange:
        data = self.cleaned_data
        return BulkChange(
            action=BulkAction(data["action"]),
            assignee=data.get("assignee"),
            status=data.get("status") or "",
            priority=data.get("priority") or "",
        )


class SavedFilterForm(forms.ModelForm[SavedFilter]):
    class Meta:
        model = SavedFilter
        fields = ["name", "query"]
        labels = {"name": _("Name of the filter")}


class Compose(models.TextChoices):
    """The two composers of the workspace (R4). The note comes first: it is the safe default."""

    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to customer")


class ReplyForm(forms.Form):
    label_suffix = ""
    # A plain text field, not a choice: an unknown value is no error, it is simply not a reply.
    kind = forms.CharField(
        label=_("Write"),
        initial=Compose.NOTE,
        required=False,
        max_length=10,
        widget=forms.RadioSelect(choices=Compose.choices),
    )
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def is_public(self) -> bool:
        """Only an explicit choice of the Reply composer mails the customer (R4); a missing,
        unknown or contradicted choice keeps the text inside the desk."""
        return self.cleaned_data.get("kind") == Compose.REPLY and not self.data.get("internal")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority)


class AssigneeForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.filter(is_active=True).exclude(role=User.Role.CUSTOMER),
        required=False,
        empty_label=_("Nobody"),
    )


class OtherTicketForm(forms.Form):
    """Merge into, or link to, another ticket named by its tracking number."""

    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)
