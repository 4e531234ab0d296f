"""CSV import of the install base: the way contract and device data arrives from sales systems.

One row per device, with its customer, contract and site. The import is all or nothing: every
row is checked first, and a file with any error writes nothing, so a half-imported install base
never decides a customer's entitlement (R1).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from santacare.core.text import clean_line
from santacare.customers.models import Customer, Site, validate_business_id

from .models import (
    Contract,
    Device,
    ServiceLevel,
    Vendor,
    normalize_serial_number,
    validate_serial_number,
)

COLUMNS = (
    "customer_business_id",
    "customer_name",
    "contract_number",
    "contract_product",
    "service_level",
    "valid_from",
    "valid_to",
    "serial_number",
    "device_type",
    "vendor",
    "site_name",
    "site_street_address",
    "site_postal_code",
    "site_city",
)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000


@dataclass
class ImportReport:
    rows: int = 0
    created: dict[str, int] = field(
        default_factory=lambda: {"customer": 0, "contract": 0, "device": 0}
    )
    updated: dict[str, int] = field(
        default_factory=lambda: {"customer": 0, "contract": 0, "device": 0}
    )
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False
    seen: set[tuple[str, str]] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowError(Exception):
    pass


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), else Windows-1252, as Finnish Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def import_install_base(data: bytes, *, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    if len(data) > MAX_FILE_BYTES:
        report.errors.append((0, _("The file is larger than 20 MB.")))
        return report
    text = decode_csv(data).replace("\x00", "")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        report.errors.append(
            (1, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        )
        return report
    reader.fieldnames = header

    try:
        with transaction.atomic():
            for line_number, row in enumerate(reader, start=2):
                report.rows += 1
                if report.rows > MAX_ROWS:
                    report.errors.append((line_number, _("More than 100 000 rows.")))
                    break
                try:
                    with transaction.atomic():
                        _import_row(row, report)
                except _RowError as error:
                    report.errors.append((line_number, str(error)))
                except ValidationError as error:
                    report.errors.append((line_number, "; ".join(error.messages)))
            if report.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


class _Rollback(Exception):
    pass


def _import_row(raw: dict[str, str | None], report: ImportReport) -> None:
    row = {key: clean_line(value, max_length=300) for key, value in raw.items() if key}
    business_id = row["customer_business_id"]
    validate_business_id(business_id)
    if not row["customer_name"]:
        raise _RowError(_("The customer name is empty."))

    customer, created = Customer.objects.get_or_create(
        business_id=business_id, defaults={"name": row["customer_name"]}
    )
    _count(report, "customer", business_id, created)

    contract = _contract(row, customer, report)
    site = _site(row, customer)
    vendor, _created = Vendor.objects.get_or_create(name=_required(row, "vendor"))

    serial_number = normalize_serial_number(row["serial_number"])
    validate_serial_number(serial_number)
    device = Device.objects.filter(serial_number=serial_number).first()
    if device is not None and device.customer_id != customer.pk:
        # Moving a unit between companies silently would hand one company's entitlement to
        # another; that is an agent's decision, not an import's.
        raise _RowError(
            _("Serial number %(serial)s already belongs to another customer.")
            % {"serial": serial_number}
        )
    _count(report, "device", serial_number, device is None)
    device = device or Device(serial_number=serial_number, customer=customer)
    device.device_type = _required(row, "device_type")
    device.vendor = vendor
    device.contract = contract
    device.site = site
    device.full_clean()
    device.save()


def _contract(row: dict[str, str], customer: Customer, report: ImportReport) -> Contract:
    number = _required(row, "contract_number")
    product = row["contract_product"].lower() or Contract.Product.MAINTENANCE
    if product not in Contract.Product.values:
        raise _RowError(
            _("Unknown contract product %(product)s (maintenance or managed_services).")
            % {"product": product}
        )
    level = None
    if product == Contract.Product.MAINTENANCE:
        level = ServiceLevel.objects.filter(name=row["service_level"]).first()
        if level is None:
            raise _RowError(_("Unknown service level %(name)s.") % {"name": row["service_level"]})
    contract = Contract.objects.filter(number=number).first()
    if contract is not None and contract.customer_id != customer.pk:
        raise _RowError(_("Contract %(number)s belongs to another customer.") % {"number": number})
    _count(report, "contract", number, contract is None)
    contract = contract or Contract(number=number, customer=customer)
    contract.product = product
    contract.service_level = level
    contract.valid_from = _date(row, "valid_from")
    contract.valid_to = _date(row, "valid_to")
    contract.full_clean()
    contract.save()
    return contract


def _site(row: dict[str, str], customer: Customer) -> Site | None:
    if not row["site_name"]:
        return None
    site, _created = Site.objects.update_or_create(
        customer=customer,
        name=row["site_name"],
        defaults={
            "street_address": row["site_street_address"],
            "postal_code": row["site_postal_code"],
            "city": row["site_city"],
        },
    )
    return site


def _required(row: dict[str, str], column: str) -> str:
    if not row[column]:
        raise _RowError(_("The column %(column)s is empty.") % {"column": column})
    return row[column]


def _date(row: dict[str, str], column: str) -> date:
    value = _required(row, column)
    for parse in (date.fromisoformat, _finnish_date):
        try:
            return parse(value)
        except ValueError:
            continue
    raise _RowError(
        _("%(column)s is not a date (use 2026-12-31 or 31.12.2026): %(value)s")
        % {"column": column, "value": value}
    )


def _finnish_date(value: str) -> date:
    day, month, year = value.split(".")
    return date(int(year), int(month), int(day))


def _count(report: ImportReport, kind: str, key: str, created: bool) -> None:
    """Count each customer, contract and device once, however many rows name it."""
    if (kind, key) in report.seen:
        return
    report.seen.add((kind, key))
    (report.created if created else report.updated)[kind] += 1
