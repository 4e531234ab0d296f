"""R1 and R10: is this device served here, and under which service level?"""

from datetime import date
from enum import StrEnum

from .models import Device


class Entitlement(StrEnum):
    COVERED = "covered"
    NO_CONTRACT = "no_contract"
    EXPIRED = "expired"
    MANAGED_SERVICES = "managed_services"


def entitlement(device: Device, *, on: date) -> Entitlement:
    contract = device.contract
    if contract is None:
        return Entitlement.NO_CONTRACT
    # R10 before R1: a Managed Services customer is sent to the NOC whatever the dates say.
    if contract.is_managed_services:
        return Entitlement.MANAGED_SERVICES
    if not contract.is_valid_on(on):
        return Entitlement.EXPIRED
    return Entitlement.COVERED
