"""Why an RMA change was refused (R13): a code the pages switch on, and the text for it.

The text is looked up from the code when it is shown, in the language of whoever reads it
(an agent in English, a customer in Finnish), never matched back from an English message.
"""

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from santacare.core.errors import CodedError


class RmaErrorCode(StrEnum):
    WRONG_STATE = "wrong_state"
    NOT_RECEIVED = "not_received"
    FUTURE = "future"
    BEFORE_PREVIOUS_STEP = "dates_order"
    PROMISED_BEFORE_OPENED = "promised_before_opened"
    PART_NUMBER = "part_number"
    SERIAL_FORMAT = "serial_format"
    SERIAL_IN_INSTALL_BASE = "serial_in_install_base"
    SERIAL_ON_OTHER_RMA = "serial_on_other_rma"
    TICKET_CLOSED = "ticket_closed"
    NO_HARDWARE_FAULT = "no_hardware_fault"
    NO_DELIVERY_DETAILS = "no_delivery_details"
    NO_VENDOR = "no_vendor"
    FAILED_SERIAL = "failed_serial"
    SOURCE = "source"
    SHIPMENT = "shipment"
    NO_REPLACEMENT_SERIAL = "no_replacement_serial"
    VENDOR_RMA_NUMBER = "vendor_rma_number"
    ALREADY_RETURNED = "already_returned"
    COURIER_CODE = "courier_code"
    REASON = "reason"


_TEXTS = {
    RmaErrorCode.WRONG_STATE: _("This cannot be done while the RMA is “%(status)s”."),
    RmaErrorCode.NOT_RECEIVED: _(
        "An RMA is closed only after the vendor has received the failed unit."
    ),
    RmaErrorCode.FUTURE: _("That time is in the future."),
    RmaErrorCode.BEFORE_PREVIOUS_STEP: _(
        "That time is before the previous step of this RMA (%(moment)s)."
    ),
    RmaErrorCode.PROMISED_BEFORE_OPENED: _(
        "The promised delivery time is before the RMA is opened."
    ),
    RmaErrorCode.PART_NUMBER: _(
        "Unknown part number: a part number has 2–40 letters, digits and the marks "
        "- . / = + #, like C9300-48P-E or FG-60F."
    ),
    RmaErrorCode.SERIAL_FORMAT: _(
        "A serial number has 3–64 letters, digits, hyphens, slashes or dots."
    ),
    RmaErrorCode.SERIAL_IN_INSTALL_BASE: _("The serial %(serial)s is already in the install base."),
    RmaErrorCode.SERIAL_ON_OTHER_RMA: _(
        "The serial %(serial)s is already the replacement of another RMA."
    ),
    RmaErrorCode.TICKET_CLOSED: _(
        "The ticket is closed or merged into another; open the RMA on the live ticket."
    ),
    RmaErrorCode.NO_HARDWARE_FAULT: _(
        "The ticket has no suspected hardware fault, so no replacement can be ordered."
    ),
    RmaErrorCode.NO_DELIVERY_DETAILS: _(
        "The ticket has no delivery address or delivery contact for the replacement "
        "part: ask the customer for them first."
    ),
    RmaErrorCode.NO_VENDOR: _("Choose the vendor."),
    RmaErrorCode.FAILED_SERIAL: _("Give the serial number of the failed unit."),
    RmaErrorCode.SOURCE: _("Choose where the replacement comes from."),
    RmaErrorCode.SHIPMENT: _("Give the courier and the tracking code of the shipment."),
    RmaErrorCode.NO_REPLACEMENT_SERIAL: _("Give the serial number of the unit sent."),
    RmaErrorCode.VENDOR_RMA_NUMBER: _("Give the vendor's RMA number."),
    RmaErrorCode.ALREADY_RETURNED: _(
        "The return was already confirmed on %(day)s; nothing was changed."
    ),
    RmaErrorCode.COURIER_CODE: _("Give the courier's tracking code of the return shipment."),
    RmaErrorCode.REASON: _("Say why the RMA is cancelled."),
}


class RmaError(CodedError):
    """A change refused for a reason the agent or the customer can fix; nothing was stored.

    `field` names the form field to show it at; `params` fill the text's placeholders.
    """

    texts = _TEXTS

    def __init__(self, code: RmaErrorCode, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, **params)
        self.field = field
