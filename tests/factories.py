"""Factories with no surprises: each makes exactly what its name says, valid by default."""

from datetime import date, timedelta

import factory

from santacare.accounts.models import User
from santacare.calendars.models import Coverage
from santacare.customers.business_id import check_digit
from santacare.customers.models import Contact, Customer, Site
from santacare.installbase.models import Contract, Device, ServiceLevel, Vendor

TODAY = date.today()  # noqa: DTZ011 - only for validity windows wide enough not to matter


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password("test-password-123")


class AgentFactory(UserFactory):
    email = factory.Sequence(lambda n: f"agent{n}@santacare.example")
    role = User.Role.AGENT
    is_staff = True


def business_id(n: int) -> str:
    """The n-th of a series of distinct, valid business IDs."""
    digits = f"{1000000 + 10 * n:07d}"
    if check_digit(digits) is None:
        # The last digit weighs 2, so the next number leaves remainder 3 and has a check digit.
        digits = f"{int(digits) + 1:07d}"
    return f"{digits}-{check_digit(digits)}"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Yritys {n} Oy")
    business_id = factory.Sequence(business_id)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    customer = factory.SubFactory(CustomerFactory)
    name = "Pääkonttori"
    street_address = "Testikatu 1"
    postal_code = "00100"
    city = "Helsinki"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Tekninen Henkilö {n}")
    email = factory.Sequence(lambda n: f"tech{n}@customer.example")
    phone = factory.Sequence(lambda n: f"+358 40 {n:07d}")
    job_role = "Network engineer"
    is_technical = True


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevel
        django_get_or_create = ("name",)

    name = "SantaCare Basic"
    coverage = Coverage.OFFICE_HOURS


class AdvancedServiceLevelFactory(ServiceLevelFactory):
    name = "SantaCare Advanced"
    coverage = Coverage.ALWAYS
    phone_only_outside_office_hours = True


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ("name",)

    name = "Cisco"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"SCM-{5000 + n}")
    customer = factory.SubFactory(CustomerFactory)
    product = Contract.Product.MAINTENANCE
    service_level = factory.SubFactory(ServiceLevelFactory)
    valid_from = TODAY - timedelta(days=365)
    valid_to = TODAY + timedelta(days=365)


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    serial_number = factory.Sequence(lambda n: f"FOC{n:08d}")
    device_type = "Catalyst 9300"
    vendor = factory.SubFactory(VendorFactory)
    customer = factory.SubFactory(CustomerFactory)
    site = factory.SubFactory(SiteFactory, customer=factory.SelfAttribute("..customer"))
    contract = factory.SubFactory(ContractFactory, customer=factory.SelfAttribute("..customer"))
