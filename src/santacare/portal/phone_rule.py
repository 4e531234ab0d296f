"""R8 before anything is sent: does the request being typed have to be phoned in instead?

The intake service decides for good when the form is sent (and keeps what was sent); this only
lets the form show the phone number while the customer is still choosing.
"""

from datetime import datetime

from santacare.installbase.models import Device
from santacare.sla.calendars import is_office_hours
from santacare.tickets.intake import Reason
from santacare.tickets.models import Priority


def phone_only_reason(device: Device, *, priority: str | None, at: datetime) -> str | None:
    if priority == Priority.P1:
        return Reason.CRITICAL
    level = device.contract.service_level if device.contract else None
    if level and level.phone_only_outside_office_hours and not is_office_hours(at):
        return Reason.OUTSIDE_OFFICE_HOURS
    return None
