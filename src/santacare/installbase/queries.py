from django.db.models import QuerySet

from santacare.customers.models import Customer

from .models import Device, normalize_serial_number


def device_by_serial(serial_number: str, *, customer: Customer | None = None) -> Device | None:
    """The device with this serial; with `customer`, only from that customer's install base."""
    devices = Device.objects.select_related(
        "vendor", "customer", "site", "contract", "contract__service_level"
    ).filter(serial_number=normalize_serial_number(serial_number))
    if customer is not None:
        devices = devices.filter(customer=customer)
    return devices.first()


def devices_for_customer(customer: Customer) -> QuerySet[Device]:
    return Device.objects.filter(customer=customer).select_related(
        "vendor", "site", "contract", "contract__service_level"
    )
