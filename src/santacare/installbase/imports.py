"""CSV import of the install base: the way contract and device data arrives from sales systems.

One row per device, with its customer, contract and site. The import is all or nothing: every
row is checked first, and a file with any error writes nothing, so a half-imported install base
never decides a customer's entitlement (R1). A row is checked whole before anything of it is
written, so the report lists every error of every row, and a row with an error changes nothing,
in a dry run or a real one.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from santacare.customers.models import Customer, Site

from .import_rows import Row
from .models import Contract, Device, ServiceLevel, Vendor, normalize_serial_number

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

# Which model field each column fills: the model's own validation (lengths, the business ID's
# check digit, the serial number's form, the contract's dates) checks the column.
CUSTOMER_COLUMNS = {"business_id": "customer_business_id", "name": "customer_name"}
CONTRACT_COLUMNS = {
    "number": "contract_number",
    "product": "contract_product",
    "service_level": "service_level",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
}
SITE_COLUMNS = {
    "name": "site_name",
    "street_address": "site_street_address",
    "postal_code": "site_postal_code",
    "city": "site_city",
}
DEVICE_COLUMNS = {
    "serial_number": "serial_number",
    "device_type": "device_type",
    "vendor": "vendor",
}


@dataclass
class ImportReport:
    rows: int = 0
    created: dict[str, int] = field(
        default_factory=lambda: {"customer": 0, "contract": 0, "device": 0}
    )
    updated: dict[str, int] = field(
        default_factory=lambda: {"customer": 0, "contract": 0, "device": 0}
    )
    # (line number, message); a line with several errors has several entries.
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False
    seen: set[tuple[str, str]] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Plan:
    """What one checked row writes: unsaved or changed model instances."""

    customer: Customer
    contract: Contract
    site: Site | None
    device: Device


class _Rollback(Exception):
    pass


class _Catalogs:
    """Vendors and service levels, read once per file rather than once per row."""

    def __init__(self) -> None:
        self.vendors = {vendor.name.casefold(): vendor for vendor in Vendor.objects.all()}
        self.levels = {level.name: level for level in ServiceLevel.objects.all()}

    def known_vendors(self) -> str:
        return ", ".join(sorted(vendor.name for vendor in self.vendors.values()))


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

    # A dry run writes too, inside a transaction it then rolls back: later rows must see what
    # earlier rows created (a customer's second device, a contract's second row).
    try:
        with transaction.atomic():
            catalogs = _Catalogs()
            for line_number, raw in enumerate(reader, start=2):
                report.rows += 1
                if report.rows > MAX_ROWS:
                    report.errors.append((line_number, _("More than 100 000 rows.")))
                    break
                row = Row(raw)
                plan = _check_row(row, catalogs)
                if plan is not None:
                    _write_row(row, plan, report)
                report.errors.extend((line_number, message) for message in row.errors)
            if report.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _check_row(row: Row, catalogs: _Catalogs) -> _Plan | None:
    """Check every column of the row; the plan to write it, or None with `row.errors` filled."""
    customer = _check_customer(row)
    contract = _check_contract(row, customer, catalogs)
    site = _check_site(row)
    device = _check_device(row, customer, catalogs)
    if row.errors:
        return None
    return _Plan(customer=customer, contract=contract, site=site, device=device)


def _check_customer(row: Row) -> Customer:
    business_id = row.required("customer_business_id")
    name = row.required("customer_name")
    row.validate(Customer(business_id=business_id, name=name), CUSTOMER_COLUMNS)
    existing = Customer.objects.filter(business_id=business_id).first() if business_id else None
    # An existing customer keeps its recorded name: the contract system's spelling may differ.
    return existing or Customer(business_id=business_id, name=name)


def _check_contract(row: Row, customer: Customer, catalogs: _Catalogs) -> Contract:
    number = row.required("contract_number")
    product = row.values["contract_product"].lower() or Contract.Product.MAINTENANCE
    if product not in Contract.Product.values:
        row.error(
            "contract_product",
            _("Unknown contract product %(product)s (maintenance or managed_services).")
            % {"product": product},
        )
    level = None
    if product == Contract.Product.MAINTENANCE and row.required("service_level"):
        level = catalogs.levels.get(row.values["service_level"])
        if level is None:
            row.error(
                "service_level",
                _("Unknown service level %(name)s.") % {"name": row.values["service_level"]},
            )

    contract = Contract.objects.filter(number=number).first() if number else None
    if contract is not None and contract.customer_id != customer.pk:
        row.error(
            "contract_number",
            _("Contract %(number)s belongs to another customer.") % {"number": number},
        )
    contract = contract or Contract(number=number)
    contract.product = product
    contract.service_level = level
    # A date that does not parse is reported on its column and never written into the contract.
    valid_from, valid_to = row.date("valid_from"), row.date("valid_to")
    if valid_from is not None:
        contract.valid_from = valid_from
    if valid_to is not None:
        contract.valid_to = valid_to
    row.validate(contract, CONTRACT_COLUMNS)
    return contract


def _check_site(row: Row) -> Site | None:
    if not row.values["site_name"]:
        return None
    site = Site(**{name: row.values[column] for name, column in SITE_COLUMNS.items()})
    row.validate(site, SITE_COLUMNS)
    return site


def _check_device(row: Row, customer: Customer, catalogs: _Catalogs) -> Device:
    serial_number = normalize_serial_number(row.required("serial_number"))
    device = Device.objects.filter(serial_number=serial_number).first() if serial_number else None
    if device is not None and device.customer_id != customer.pk:
        # Moving a unit between companies would hand one company's entitlement to another;
        # that is an agent's decision, not an import's.
        row.error(
            "serial_number",
            _("Serial number %(serial)s already belongs to another customer.")
            % {"serial": serial_number},
        )
    device = device or Device(serial_number=serial_number)
    device.device_type = row.required("device_type")
    vendor_name = row.required("vendor")
    if vendor_name:
        vendor = catalogs.vendors.get(vendor_name.casefold())
        if vendor is None:
            # A vendor made up from a typo would have no return instructions for RMA (R13).
            row.error("vendor", _unknown_vendor(vendor_name, catalogs))
        else:
            device.vendor = vendor
    row.validate(device, DEVICE_COLUMNS)
    return device


def _unknown_vendor(name: str, catalogs: _Catalogs) -> str:
    if not catalogs.vendors:
        return _("Unknown vendor %(name)s: no vendors are recorded; add them first.") % {
            "name": name
        }
    return _("Unknown vendor %(name)s. Known vendors: %(known)s.") % {
        "name": name,
        "known": catalogs.known_vendors(),
    }


def _write_row(row: Row, plan: _Plan, report: ImportReport) -> None:
    customer, contract, device = plan.customer, plan.contract, plan.device
    created = {
        "customer": customer.pk is None,
        "contract": contract.pk is None,
        "device": device.pk is None,
    }
    try:
        # A savepoint, so that a row failing the cross-model checks leaves nothing behind.
        with transaction.atomic():
            if customer.pk is None:
                customer.save()
            contract.customer = customer
            contract.save()
            if device.pk is None:
                device.customer = customer
            device.contract = contract
            device.site = _save_site(plan.site, customer)
            device.full_clean()
            device.save()
    except ValidationError as error:
        row.errors.extend(error.messages)
        return
    for kind, key in (
        ("customer", customer.business_id),
        ("contract", contract.number),
        ("device", device.serial_number),
    ):
        _count(report, kind, key, created[kind])


def _save_site(site: Site | None, customer: Customer) -> Site | None:
    if site is None:
        return None
    saved, _created = Site.objects.update_or_create(
        customer=customer,
        name=site.name,
        defaults={
            "street_address": site.street_address,
            "postal_code": site.postal_code,
            "city": site.city,
        },
    )
    return saved


def _count(report: ImportReport, kind: str, key: str, created: bool) -> None:
    """Count each customer, contract and device once, however many rows name it."""
    if (kind, key) in report.seen:
        return
    report.seen.add((kind, key))
    (report.created if created else report.updated)[kind] += 1
