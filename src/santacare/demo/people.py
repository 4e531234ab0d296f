"""The people and devices the demo's stories need beyond the base data set (`data.py`).

Kept apart from `data.py` because the browser walk-throughs load the base set alone and count on
its five devices; these are added only with the stories (`activity.py`). Devices that get an
RMA are spares of their own: a delivered replacement takes over the install-base row (R13),
and the README's serials must stay as documented.
"""

from dataclasses import dataclass
from datetime import timedelta

from santacare.accounts.models import User
from santacare.customers.models import Contact, Customer, Language
from santacare.installbase.models import Contract, Device, ServiceLevel, Vendor

from .data import _contact, _device, _site


@dataclass(frozen=True)
class Cast:
    """Who plays in the stories, looked up once."""

    agent: User
    lead: User
    teemu: Contact
    liisa: Contact
    tiina: Contact
    emma: Contact
    olli: Contact
    daniel: Contact
    devices: dict[str, Device]


def cast_the_stories() -> Cast:
    """Add the stories' people and devices (idempotent) and return the whole cast."""
    esimerkki = Customer.objects.get(business_id="1234567-1")
    toinen = Customer.objects.get(business_id="7654321-2")
    lead = User.objects.get(email="palvelupaallikko@santacare.example")
    emma = _contact(
        toinen,
        "Emma Brown",
        "emma.brown@toinen.fi",
        "+358 50 777 8888",
        "Network administrator",
        technical=True,
        language=Language.ENGLISH,
    )
    pohjola = Customer.objects.update_or_create(
        business_id="2345678-0",
        defaults={
            "name": "Pohjolan Logistiikka Oy",
            "service_delivery_manager": lead,
            "language": Language.ENGLISH,
        },
    )[0]
    terminal = _site(pohjola, "Terminaali", "Satamatie 5", "90400", "Oulu")
    olli = _contact(
        pohjola,
        "Olli Ojala",
        "olli.ojala@pohjolanlogistiikka.example",
        "+358 44 123 4567",
        "IT-päällikkö",
        technical=True,
        language=Language.FINNISH,
    )
    daniel = _contact(
        pohjola,
        "Daniel Lee",
        "daniel.lee@pohjolanlogistiikka.example",
        "+358 44 765 4321",
        "Network engineer",
        technical=True,
        language=Language.ENGLISH,
    )
    advanced = ServiceLevel.objects.get(name="SantaCare Advanced")
    scm_1001 = Contract.objects.get(number="SCM-1001")
    scm_3001 = Contract.objects.get(number="SCM-3001")
    template = Contract.objects.get(number="SCM-1002")
    scm_4001, _ = Contract.objects.update_or_create(
        number="SCM-4001",
        defaults={
            "customer": pohjola,
            "product": Contract.Product.MAINTENANCE,
            "service_level": advanced,
            "valid_from": template.valid_from + timedelta(days=90),
            "valid_to": template.valid_to,
        },
    )
    head_office = esimerkki.sites.get(name="Pääkonttori")
    machine_room = toinen.sites.get(name="Konesali")
    vendors = {vendor.name: vendor for vendor in Vendor.objects.all()}
    devices = {
        serial: _device(serial, vendors[vendor], kind, customer, site, contract)
        for serial, vendor, kind, customer, site, contract in [
            ("FOC2402X7KL", "Cisco", "Catalyst 9300", esimerkki, head_office, scm_1001),
            ("FOC2402X7KM", "Cisco", "Catalyst 9300", esimerkki, head_office, scm_1001),
            ("FOC2402X7KN", "Cisco", "Catalyst 9300", esimerkki, head_office, scm_1001),
            ("FDO2544Y3SS", "Cisco", "Catalyst 9200", toinen, machine_room, scm_3001),
            ("FDO2544Y2RR", "Cisco", "Catalyst 9200", toinen, machine_room, scm_3001),
            ("FGT60FTK20000042", "Fortinet", "FortiGate 60F", toinen, machine_room, scm_3001),
            ("FDO2611A1BC", "Cisco", "ISR 4331", pohjola, terminal, scm_4001),
            ("JN22CD3E4FGH", "Juniper", "EX4300", pohjola, terminal, scm_4001),
            ("JN22CD3E4FGK", "Juniper", "EX4300", pohjola, terminal, scm_4001),
            ("JN22CD3E4FGM", "Juniper", "EX4300", pohjola, terminal, scm_4001),
        ]
    }
    for serial in ("FOC2233X0AB", "JN11AB2C3DEF", "FDO2544Y1QQ", "FGT60FTK20000001"):
        devices[serial] = Device.objects.get(serial_number=serial)
    return Cast(
        agent=User.objects.get(email="agentti@santacare.example"),
        lead=lead,
        teemu=Contact.objects.get(email="tekninen@esimerkki.fi"),
        liisa=Contact.objects.get(email="loppukayttaja@esimerkki.fi"),
        tiina=Contact.objects.get(email="it@toinen.fi"),
        emma=emma,
        olli=olli,
        daniel=daniel,
        devices=devices,
    )
