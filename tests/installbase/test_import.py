"""CSV import of the install base: all rows or none (R1 must never rest on a half import)."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from santacare.installbase.imports import COLUMNS, import_install_base
from santacare.installbase.models import Contract, Device, Vendor
from tests.factories import CustomerFactory, DeviceFactory, ServiceLevelFactory, VendorFactory

pytestmark = pytest.mark.django_db

HEADER = ";".join(COLUMNS)
ROW_1 = (
    "1234567-1;Esimerkki Oy;SCM-1001;maintenance;SantaCare Basic;2026-01-01;2027-12-31;"
    "foc2233x0ab;Catalyst 9300;Cisco;Pääkonttori;Esimerkkikatu 1;00100;Helsinki"
)
ROW_2 = (
    "1234567-1;Esimerkki Oy;SMS-2001;managed_services;;1.1.2026;31.12.2027;"
    "FGT60FTK20000001;FortiGate 60F;Fortinet;Pääkonttori;Esimerkkikatu 1;00100;Helsinki"
)


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\n".join([HEADER, *rows]).encode(encoding)


@pytest.fixture(autouse=True)
def basic_level():
    return ServiceLevelFactory(name="SantaCare Basic")


@pytest.fixture(autouse=True)
def vendors():
    return [VendorFactory(name="Cisco"), VendorFactory(name="Fortinet")]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the Finnish ones are the catalog's business."""
    with translation.override("en"):
        yield


def test_import_creates_customers_contracts_sites_and_devices():
    report = import_install_base(csv_bytes(ROW_1, ROW_2))

    assert report.ok, report.errors
    assert report.created == {"customer": 1, "contract": 2, "device": 2}
    device = Device.objects.get(serial_number="FOC2233X0AB")
    assert device.customer.business_id == "1234567-1"
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


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "real run"])
def test_r1_a_serial_of_another_customer_is_an_error_and_is_not_moved(dry_run):
    DeviceFactory(serial_number="FOC2233X0AB", customer=CustomerFactory(business_id="7654321-2"))

    report = import_install_base(csv_bytes(ROW_1), dry_run=dry_run)

    assert report.errors == [(2, "Serial number FOC2233X0AB already belongs to another customer.")]
    assert report.created == {"customer": 0, "contract": 0, "device": 0}
    assert Device.objects.get().customer.business_id == "7654321-2"


def test_r1_every_error_of_every_line_is_reported_with_its_line_number():
    two_mistakes = ROW_1.replace("2027-12-31", "31.13.2027").replace("Cisco", "Cisko")
    three_mistakes = (
        ROW_2.replace("1234567-1", "1234567-8")
        .replace("FortiGate 60F", "")
        .replace("Pääkonttori", "P" * 250)
    )

    report = import_install_base(csv_bytes(two_mistakes, three_mistakes))

    assert report.errors == [
        (2, "valid_to is not a date (use 2026-12-31 or 31.12.2026): 31.13.2027"),
        (2, "Unknown vendor Cisko. Known vendors: Cisco, Fortinet."),
        (
            3,
            "customer_business_id: The check digit of business ID 1234567-8 does not match: "
            "check the number.",
        ),
        (3, "site_name: Ensure this value has at most 200 characters (it has 250)."),
        (3, "The column device_type is empty."),
    ]
    assert Device.objects.count() == 0
    assert Contract.objects.count() == 0


def test_r1_a_good_row_after_a_bad_one_is_checked_but_not_written():
    bad = ROW_2.replace("Fortinet", "Fortinett")

    report = import_install_base(csv_bytes(bad, ROW_1))

    assert [line for line, _message in report.errors] == [2]
    assert Device.objects.count() == 0


def test_r13_an_unknown_vendor_is_an_error_and_no_vendor_is_made_up():
    report = import_install_base(csv_bytes(ROW_1.replace("Cisco", "Cisko")))

    assert report.errors == [(2, "Unknown vendor Cisko. Known vendors: Cisco, Fortinet.")]
    assert sorted(Vendor.objects.values_list("name", flat=True)) == ["Cisco", "Fortinet"]


def test_r13_vendor_names_match_whatever_their_case():
    report = import_install_base(csv_bytes(ROW_1.replace("Cisco", "CISCO")))

    assert report.ok, report.errors
    assert Device.objects.get().vendor.name == "Cisco"


def test_r13_with_no_vendors_recorded_the_error_says_to_add_them(vendors):
    Vendor.objects.all().delete()

    report = import_install_base(csv_bytes(ROW_1))

    assert report.errors == [(2, "Unknown vendor Cisco: no vendors are recorded; add them first.")]


def test_r1_a_business_id_with_a_wrong_check_digit_is_an_error():
    report = import_install_base(csv_bytes(ROW_1.replace("1234567-1", "1234567-8")))

    assert report.errors == [
        (
            2,
            "customer_business_id: The check digit of business ID 1234567-8 does not match: "
            "check the number.",
        )
    ]
    assert not Device.objects.exists()


def test_r1_a_name_too_long_for_the_database_is_an_error_not_a_crash():
    report = import_install_base(csv_bytes(ROW_1.replace("Esimerkki Oy", "E" * 201)))

    assert report.errors == [
        (2, "customer_name: Ensure this value has at most 200 characters (it has 201).")
    ]


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

    report = import_install_base(csv_bytes(";".join(values)))

    assert len(report.errors) == 1
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


def test_r14_import_errors_are_in_finnish_for_a_finnish_user():
    with translation.override("fi"):
        report = import_install_base(csv_bytes(ROW_1.replace("Cisco", "Cisko")))

    assert report.errors == [
        (2, "Tuntematon laitevalmistaja Cisko. Tunnetut valmistajat: Cisco, Fortinet.")
    ]


def test_r1_admin_import_page_lists_every_error_with_its_line_and_writes_nothing(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = ROW_1.replace("Cisco", "Cisko").replace("2026-01-01", "1.13.2026")
    upload = SimpleUploadedFile("base.csv", csv_bytes(bad), content_type="text/csv")

    response = admin_client.post(
        "/admin/installbase/device/import/",
        {"file": upload, "dry_run": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = response.content.decode()
    assert "Errors – nothing was imported" in page
    assert "Line 2: valid_from is not a date" in page
    assert "Line 2: Unknown vendor Cisko. Known vendors: Cisco, Fortinet." in page
    assert not Device.objects.exists()


def test_r9_a_named_site_needs_its_address_for_replacement_parts():
    report = import_install_base(csv_bytes(ROW_1.replace("Esimerkkikatu 1", "")))

    assert report.errors == [(2, "site_street_address: This field cannot be blank.")]


def test_a_row_without_a_site_imports_a_device_with_no_site():
    no_site = ";".join(ROW_1.split(";")[: COLUMNS.index("site_name")] + [""] * 4)

    report = import_install_base(csv_bytes(no_site))

    assert report.ok, report.errors
    assert Device.objects.get().site is None
