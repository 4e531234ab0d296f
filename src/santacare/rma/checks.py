"""The checks every RMA verb shares: who acts, in which state, with what input. Each raises
before anything is written, so a refused change leaves no trace."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.utils import dateformat

from santacare.accounts.models import User
from santacare.core.text import clean_line
from santacare.core.time import helsinki, now
from santacare.installbase.models import SERIAL_NUMBER_RE, Device, normalize_serial_number

from .errors import RmaError, RmaErrorCode
from .models import PART_NUMBER_RE, Rma

# A clock skew between the agent's browser and the server must not make "now" the future.
FUTURE_TOLERANCE = timedelta(minutes=5)


def require_agent(by: User | None) -> User:
    if by is None or not by.is_agent:
        raise PermissionDenied("Only the desk's agents may change an RMA.")
    return by


def require_status(rma: Rma, *allowed: str) -> None:
    if rma.status not in allowed:
        raise RmaError(RmaErrorCode.WRONG_STATE, status=rma.get_status_display())


def checked_moment(
    value: datetime | None, *, field: str, not_before: datetime | None = None
) -> datetime:
    """The instant a fact happened: given by the agent, or now; never in the future and never
    before the step it follows (dates in the wrong order are refused, not stored)."""
    current = now()
    moment = value or current
    if moment > current + FUTURE_TOLERANCE:
        raise RmaError(RmaErrorCode.FUTURE, field=field)
    if not_before is not None and moment < not_before:
        raise RmaError(
            RmaErrorCode.BEFORE_PREVIOUS_STEP,
            field=field,
            moment=dateformat.format(helsinki(not_before), "j.n.Y H:i"),
        )
    return moment


def normalize_part_number(value: str) -> str:
    return "".join(value.split()).upper()


def check_part_number(value: str) -> str:
    part_number = normalize_part_number(value)
    if not PART_NUMBER_RE.match(part_number):
        raise RmaError(RmaErrorCode.PART_NUMBER, field="part_number")
    return part_number


def check_replacement_serial(value: str, *, rma_id: int | None = None) -> str:
    serial = normalize_serial_number(clean_line(value, max_length=200))
    if not SERIAL_NUMBER_RE.match(serial):
        raise RmaError(RmaErrorCode.SERIAL_FORMAT, field="replacement_serial")
    if Device.objects.filter(serial_number__iexact=serial).exists():
        # The unit would be in the install base twice: a typo, or a unit that is not spare.
        raise RmaError(
            RmaErrorCode.SERIAL_IN_INSTALL_BASE, field="replacement_serial", serial=serial
        )
    others = Rma.objects.filter(replacement_serial__iexact=serial).exclude(
        status=Rma.Status.CANCELLED
    )
    if rma_id is not None:
        others = others.exclude(pk=rma_id)
    if others.exists():
        raise RmaError(RmaErrorCode.SERIAL_ON_OTHER_RMA, field="replacement_serial", serial=serial)
    return serial
