"""The install base follows a delivered replacement (R13): the new serial takes the failed unit's
place under the same contract, and the old serial stays in the device's history."""

from datetime import datetime

from santacare.accounts.models import User
from santacare.installbase.models import Device

from .errors import RmaError, RmaErrorCode
from .models import DeviceSwap, Rma


def swap_device(rma: Rma, *, by: User, at: datetime) -> DeviceSwap | None:
    """The new serial takes the failed unit's place under the same contract; the failed serial
    stays in the device's history. Only when the whole unit was replaced: a failed module has a
    serial of its own and the chassis keeps its serial."""
    if rma.device_id is None:
        return None
    device = (
        Device.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=rma.device_id)
    )
    if device.serial_number != rma.failed_serial:
        return None
    new_serial = rma.replacement_serial
    clash = Device.objects.filter(serial_number__iexact=new_serial).exclude(pk=device.pk)
    if clash.exists():
        raise RmaError(
            RmaErrorCode.SERIAL_IN_INSTALL_BASE, field="replacement_serial", serial=new_serial
        )
    old_serial = device.serial_number
    device.serial_number = new_serial
    device.save(update_fields=["serial_number", "updated_at"])
    return DeviceSwap.objects.create(
        device=device,
        rma=rma,
        old_serial=old_serial,
        new_serial=new_serial,
        contract_number=device.contract.number if device.contract else "",
        swapped_at=at,
        swapped_by=by,
    )
