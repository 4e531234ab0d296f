"""The demo data set (`santacare demo`) that docs, walk-throughs and tests rely on.

It exists only where `santacare demo` was run. Every demo user gets one password: the
DEMO_PASSWORD environment variable when set, otherwise a random one kept in
var/demo-password.txt (mode 600) so that `make run` can show it again.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction

from santacare.accounts.models import User
from santacare.calendars.models import Coverage
from santacare.core.time import helsinki, now
from santacare.customers.models import Contact, Customer, Language, Site
from santacare.installbase.models import Contract, Device, ServiceLevel, Vendor
from santacare.sla.services import seed_default_targets

PASSWORD_FILE = "demo-password.txt"  # noqa: S105 - a file name, not a password

# Each vendor's return window and instructions, in Finnish and in English (R13).
VENDOR_INSTRUCTIONS = {
    "Cisco": (
        15,
        "Pakkaa viallinen laite korvaavan laitteen laatikkoon, kirjoita Ciscon RMA-numero "
        "pakettiin ja tilaa nouto toimituksen mukana tulleella maksetulla osoitelapulla.",
        "Pack the failed unit in the replacement's box, write the Cisco RMA number on "
        "the package and book the pickup with the prepaid label in the delivery.",
    ),
    "Juniper": (
        10,
        "Palauta viallinen laite Juniperille 10 arkipäivän kuluessa toimituksen mukana "
        "tulleella palautuslapulla; merkitse RMA-numero pakettiin.",
        "Return the failed unit to Juniper within 10 business days using the return "
        "label in the delivery; mark the RMA number on the package.",
    ),
    "Fortinet": (
        15,
        "Lähetä viallinen laite Fortinetin palautusvarastoon, jonka osoite on "
        "lähetysluettelossa, RMA-numero paketissa.",
        "Ship the failed unit to Fortinet's return depot printed on the delivery "
        "note, with the RMA number on the package.",
    ),
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


def demo_password(var_dir: Path) -> str:
    if settings.DEMO_PASSWORD:
        return str(settings.DEMO_PASSWORD)
    path = var_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(12)
    path.touch(mode=0o600)
    path.write_text(password + "\n")
    return password


@transaction.atomic
def load_demo_data(*, password: str, today: date | None = None) -> list[DemoLogin]:
    today = today or helsinki(now()).date()
    valid_from, valid_to = today - timedelta(days=365), today + timedelta(days=730)

    basic, _ = ServiceLevel.objects.update_or_create(
        name="SantaCare Basic",
        defaults={
            "coverage": Coverage.OFFICE_HOURS,
            "phone_only_outside_office_hours": False,
        },
    )
    advanced, _ = ServiceLevel.objects.update_or_create(
        name="SantaCare Advanced",
        defaults={
            "coverage": Coverage.ALWAYS,
            "phone_only_outside_office_hours": True,
        },
    )
    vendors = {
        name: Vendor.objects.update_or_create(
            name=name,
            defaults={
                "return_window_days": days,
                "return_instructions_fi": finnish,
                "return_instructions_en": english,
            },
        )[0]
        for name, (days, finnish, english) in VENDOR_INSTRUCTIONS.items()
    }

    agent = _user("agentti@santacare.example", "Aino Agentti", User.Role.AGENT, password)
    # Her desk phone: a simulated call to extension 201 pops the banner (docs/integrations.md).
    agent.phone_extension = "201"
    agent.save(update_fields=["phone_extension"])
    sdm = _user(
        "palvelupaallikko@santacare.example", "Sami Palvelupäällikkö", User.Role.TEAM_LEAD, password
    )
    sdm.phone = "+358 40 555 0123"
    sdm.save(update_fields=["phone"])
    admin = _user("admin@santacare.example", "Demo Admin", User.Role.ADMIN, password)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])

    esimerkki = _customer("Esimerkki Oy", "1234567-1", sdm)
    head_office = _site(esimerkki, "Pääkonttori", "Esimerkkikatu 1", "00100", "Helsinki")
    tech_user = _user("tekninen@esimerkki.fi", "Teemu Tekninen", User.Role.CUSTOMER, password)
    _contact(
        esimerkki,
        "Teemu Tekninen",
        "tekninen@esimerkki.fi",
        "+358 40 111 2222",
        "Network engineer",
        technical=True,
        user=tech_user,
    )
    _contact(
        esimerkki,
        "Liisa Loppukäyttäjä",
        "loppukayttaja@esimerkki.fi",
        "+358 40 333 4444",
        "Accountant",
        technical=False,
    )
    contracts = {
        number: Contract.objects.update_or_create(
            number=number,
            defaults={
                "customer": esimerkki,
                "product": product,
                "service_level": level,
                "valid_from": start,
                "valid_to": end,
            },
        )[0]
        for number, product, level, start, end in [
            ("SCM-1001", Contract.Product.MAINTENANCE, basic, valid_from, valid_to),
            ("SCM-1002", Contract.Product.MAINTENANCE, advanced, valid_from, valid_to),
            ("SMS-2001", Contract.Product.MANAGED_SERVICES, None, valid_from, valid_to),
            (
                "SCM-0901",
                Contract.Product.MAINTENANCE,
                basic,
                today - timedelta(days=3 * 365),
                today - timedelta(days=30),
            ),
        ]
    }
    for serial, vendor, device_type, contract in [
        ("FOC2233X0AB", "Cisco", "Catalyst 9300", "SCM-1001"),
        ("JN11AB2C3DEF", "Juniper", "MX204", "SCM-1002"),
        ("FGT60FTK20000001", "Fortinet", "FortiGate 60F", "SMS-2001"),
        ("FOC1111X0ZZ", "Cisco", "Catalyst 2960-X", "SCM-0901"),
    ]:
        _device(serial, vendors[vendor], device_type, esimerkki, head_office, contracts[contract])

    toinen = _customer("Toinen Oy", "7654321-2", sdm)
    toinen_site = _site(toinen, "Konesali", "Toisenkatu 2", "33100", "Tampere")
    toinen_user = _user("it@toinen.fi", "Tiina Toinen", User.Role.CUSTOMER, password)
    _contact(
        toinen,
        "Tiina Toinen",
        "it@toinen.fi",
        "+358 50 555 6666",
        "IT manager",
        technical=True,
        user=toinen_user,
    )
    toinen_contract, _ = Contract.objects.update_or_create(
        number="SCM-3001",
        defaults={
            "customer": toinen,
            "product": Contract.Product.MAINTENANCE,
            "service_level": basic,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    _device("FDO2544Y1QQ", vendors["Cisco"], "Catalyst 9200", toinen, toinen_site, toinen_contract)
    seed_default_targets()

    return [
        DemoLogin("agentti@santacare.example", "agent"),
        DemoLogin("palvelupaallikko@santacare.example", "team lead, Service Delivery Manager"),
        DemoLogin("admin@santacare.example", "administrator"),
        DemoLogin("tekninen@esimerkki.fi", "technical contact, Esimerkki Oy"),
        DemoLogin("it@toinen.fi", "technical contact, Toinen Oy"),
    ]


def _user(email: str, full_name: str, role: str, password: str) -> User:
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    user.full_name = full_name
    user.role = role
    user.is_staff = role != User.Role.CUSTOMER
    user.set_password(password)
    user.save()
    return user


def _customer(name: str, business_id: str, sdm: User) -> Customer:
    return Customer.objects.update_or_create(
        business_id=business_id, defaults={"name": name, "service_delivery_manager": sdm}
    )[0]


def _site(customer: Customer, name: str, street: str, postal_code: str, city: str) -> Site:
    return Site.objects.update_or_create(
        customer=customer,
        name=name,
        defaults={"street_address": street, "postal_code": postal_code, "city": city},
    )[0]


def _contact(
    customer: Customer,
    name: str,
    email: str,
    phone: str,
    job_role: str,
    *,
    technical: bool,
    user: User | None = None,
    language: str = Language.FINNISH,
) -> Contact:
    return Contact.objects.update_or_create(
        email=email,
        defaults={
            "customer": customer,
            "name": name,
            "phone": phone,
            "job_role": job_role,
            "is_technical": technical,
            "user": user,
            "language": language,
        },
    )[0]


def _device(
    serial: str,
    vendor: Vendor,
    device_type: str,
    customer: Customer,
    site: Site,
    contract: Contract,
) -> Device:
    return Device.objects.update_or_create(
        serial_number=serial,
        defaults={
            "vendor": vendor,
            "device_type": device_type,
            "customer": customer,
            "site": site,
            "contract": contract,
        },
    )[0]
