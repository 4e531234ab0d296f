"""What the customer (or the agent) is told about an intake outcome, in the active language.

The door (`intake.py`) decides; this module only words the decision, so a channel never writes
its own version of a rule's explanation.
"""

from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santacare.calendars.services import office_hours_text

from .models import RequiredItem
from .outcomes import Outcome, Reason

_REASON_TEXTS = {
    Reason.UNKNOWN_SENDER: gettext_lazy(
        "We could not find you among the technical contacts of our SantaCare Maintenance "
        "customers. Requests are accepted from the technical contacts your company has named."
    ),
    Reason.NOT_TECHNICAL_CONTACT: gettext_lazy(
        "Support requests are accepted only from the technical contacts your company has named. "
        "Please ask your company's technical contact to open the request."
    ),
    Reason.UNKNOWN_SERIAL: gettext_lazy(
        "The serial number was not found in your company's install base. Please check it "
        "(it is printed on the device's label) or contact your Service Delivery Manager."
    ),
    Reason.NO_VALID_CONTRACT: gettext_lazy(
        "The device has no valid SantaCare Maintenance contract, so the request cannot be "
        "handled under a contract. Please contact your Service Delivery Manager."
    ),
    Reason.NOT_ON_THIS_TICKET: gettext_lazy(
        "You cannot add to this request: only the technical contacts of the company that "
        "opened it can."
    ),
    Reason.EMPTY_MESSAGE: gettext_lazy("The message was empty."),
}


def explain(
    outcome: str,
    *,
    reason: str | None = None,
    missing: Sequence[str] = (),
    tracking_number: str | None = None,
    sdm: str = "",
) -> str:
    """The customer-facing text of an outcome, in the active language (R8, R9, R10, R11)."""
    if outcome == Outcome.REDIRECTED:
        return _(
            "This device is covered by SantaCare Managed Services. Requests about it are handled "
            "by our Network Operations Center (NOC): call %(phone)s or email %(email)s, as in the "
            "instructions you received for Managed Services."
        ) % {"phone": settings.NOC_PHONE, "email": settings.NOC_EMAIL}
    if outcome == Outcome.MUST_CALL:
        why = (
            _("Critical requests must always be opened by phone.")
            if reason == Reason.CRITICAL
            else _(
                "Under SantaCare Advanced, requests outside office hours (%(hours)s Finnish "
                "time) must be opened by phone."
            )
            % {"hours": office_hours_text()}
        )
        return _(
            "%(why)s Please call %(phone)s now. What you sent is saved as %(number)s, and our "
            "support staff can see it."
        ) % {"why": why, "phone": settings.SUPPORT_PHONE, "number": tracking_number}
    if outcome == Outcome.INFO_REQUESTED:
        items = "; ".join(str(RequiredItem(item).label) for item in missing)
        return _(
            "Your request was saved as %(number)s, but it is missing: %(items)s. Please reply with "
            "them, keeping %(number)s in the subject."
        ) % {"number": tracking_number, "items": items}
    if outcome == Outcome.CREATED:
        return _(
            "Your request was opened as %(number)s. Keep %(number)s in the subject of every "
            "message about it."
        ) % {"number": tracking_number}
    if outcome == Outcome.APPENDED:
        return _("Your message was added to %(number)s.") % {"number": tracking_number}
    if not reason:
        return ""
    text = str(_REASON_TEXTS[Reason(reason)])
    if sdm and reason in (Reason.UNKNOWN_SERIAL, Reason.NO_VALID_CONTRACT):
        text += " " + _("Your Service Delivery Manager: %(sdm)s.") % {"sdm": sdm}
    return text
