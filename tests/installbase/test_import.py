"""CSV import of the install base: all rows or none (R1 must never rest on a half import)."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from santacare.installbase.imports import COLUMNS, import_install_base
from santacare.installbase.models import Contract, Device
from tests.factories import CustomerFactory, DeviceFactory, ServiceLevelFactory

pytestmark = pytest.mark.django_db

HEADER = ";".join(COLUMNS)
ROW_1 = (
    "1234567-8;Esimerkki Oy;SCM-1001;maintenance;SantaCare Basic;2026-01-01;2027-12-31;"
    "foc2233x0ab;Catalyst 9300;Cisco;Pääkonttori;Esimerkkikatu 1;00100;Helsinki"
)
ROW_2 = (
    "1234567-8;Esimerkki Oy;SMS-2001;managed_services;;1.1.2026;31.12.2027;"
    "FGT60FTK20000001;FortiGate 60F;Fortinet;Pääkonttori;Esimerkkikatu 1;00100;Helsinki"
)


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\n".join([HEADER, *rows]).encode(encoding)


@pytest.fixture(autouse=True)
def basic_level():
    return ServiceLevelFactory(name="SantaCare Basic")


def test_import_creates_customers_contracts_sites_and_devices():
    report = import_install_base(csv_bytes(ROW_1, ROW_2))

    assert report.ok, report.errors
    assert report.created == {"customer": 1, "contract": 2, "device": 2}
    device = Device.objects.get(serial_number="FOC2233X0AB")
    assert device.customer.business_id == "1234567-8"
    assert device.contract.service_level.name == "SantaCare Basic"
    assert device.site.city == "Helsinki"
    managed = Contract.objects.get(number="SMS-2001")
    assert managed.is_managed_services
    assert str(managed.valid_to) == "2027-12-31"


def test_import_is_idempotent():
    import_install_base(csv_bytes(ROW_1))

    report = import_install_base(csv_bytes(ROW_1))

    assert report.created == {"customer": 0, "contract": 0, "device": 0}
    assert report.updated == {"customer": 1, "contract": 1, "device": 1}
    assert Device.objects.count() == 1


def test_import_reads_finnish_excel_files_in_windows_1252():
    report = import_install_base(csv_bytes(ROW_1, encoding="cp1252"))

    assert report.ok
    assert Device.objects.get().site.name == "Pääkonttori"


def test_r1_a_file_with_one_bad_row_imports_nothing():
    bad = ROW_2.replace("31.12.2027", "31.13.2027")

    report = import_install_base(csv_bytes(ROW_1, bad))

    assert not report.ok
    assert report.errors[0][0] == 3  # the line number, header being line 1
    assert Device.objects.count() == 0
    assert Contract.objects.count() == 0


def test_r1_a_serial_of_another_customer_is_not_moved():
    DeviceFactory(serial_number="FOC2233X0AB", customer=CustomerFactory(business_id="7654321-0"))

    report = import_install_base(csv_bytes(ROW_1))

    assert "already belongs to another customer" in report.errors[0][1]
    assert Device.objects.get().customer.business_id == "7654321-0"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("customer_business_id", "12345678", "business ID in the form"),
        ("service_level", "Gold", "Unknown service level"),
        ("contract_product", "lease", "Unknown contract product"),
        ("serial_number", "<script>", "serial number"),
        ("valid_to", "2020-01-01", "end after it starts"),
    ],
)
def test_bad_input_rows_get_a_clear_error(column, value, message):
    values = ROW_1.split(";")
    values[COLUMNS.index(column)] = value

    with translation.override("en"):
        report = import_install_base(csv_bytes(";".join(values)))

    assert message in report.errors[0][1]
    assert Device.objects.count() == 0


def test_bad_input_binary_junk_and_missing_columns():
    report = import_install_base(b"\x00\xff\xfe garbage")

    assert "Missing columns" in report.errors[0][1]
    assert Device.objects.count() == 0


def test_dry_run_checks_but_writes_nothing():
    report = import_install_base(csv_bytes(ROW_1), dry_run=True)

    assert report.ok
    assert report.created["device"] == 1
    assert Device.objects.count() == 0


def test_command_fails_loudly_on_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(ROW_1.replace("SantaCare Basic", "Gold")))

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_installbase", str(path))


def test_admin_import_page_imports_a_file(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("base.csv", csv_bytes(ROW_1), content_type="text/csv")

    response = admin_client.post("/admin/installbase/device/import/", {"file": upload})

    assert response.status_code == 302
    assert Device.objects.filter(serial_number="FOC2233X0AB").exists()
