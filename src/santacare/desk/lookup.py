"""Phone intake lookup (R7): find the caller and the device from whatever the caller says.

A phone number, an email address, a name, a company, a business ID, a serial number or a part
of one: each is tried, and the matches come back as contacts and devices.
"""

import re
from dataclasses import dataclass

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper

from santacare.core.text import clean_line
from santacare.customers.models import Contact
from santacare.installbase.models import Device

MIN_QUERY_LENGTH = 2
# Fewer digits than this are too likely to hit half the phone book.
MIN_PHONE_DIGITS = 5
RESULT_LIMIT = 10

_PHONE_CHARS_RE = re.compile(r"^[\d\s+()\-./]+$")


@dataclass(frozen=True)
class Matches:
    contacts: list[Contact]
    devices: list[Device]

    def __bool__(self) -> bool:
        return bool(self.contacts or self.devices)


def national_phone_digits(value: str) -> str:
    """The Finnish national number without its trunk 0: "+358 40 111 2222" → "401112222".

    "040-111 2222", "+358401112222" and "00358 40 1112222" give the same digits, so any of
    them finds the contact whichever way the number was written in the customer register.
    """
    digits = re.sub(r"\D", "", value)
    if (
        value.strip().startswith("+358")
        or digits.startswith("00358")
        or (digits.startswith("358") and len(digits) >= 11)
    ):
        digits = digits.removeprefix("00").removeprefix("358")
    return digits.removeprefix("0")


def _phone_digits_expression():
    # The register keeps numbers as typed; strip the usual separators in the database.
    expression = Replace("phone", Value("+358"), Value(""))
    for separator in (" ", "-", "(", ")", ".", "/"):
        expression = Replace(expression, Value(separator), Value(""), output_field=CharField())
    return expression


def contacts_matching(query: str) -> QuerySet[Contact]:
    contacts = Contact.objects.select_related("customer").filter(is_active=True)
    condition = (
        Q(name__icontains=query)
        | Q(email__icontains=query)
        | Q(customer__name__icontains=query)
        | Q(customer__business_id__icontains=query)
    )
    if _PHONE_CHARS_RE.match(query):
        digits = national_phone_digits(query)
        if len(digits) >= MIN_PHONE_DIGITS:
            contacts = contacts.annotate(phone_digits=_phone_digits_expression())
            condition |= Q(phone_digits__contains=digits)
    return contacts.filter(condition).order_by("customer__name", "name")


def devices_matching(query: str) -> QuerySet[Device]:
    serial = re.sub(r"\s", "", query).upper()
    condition = (
        Q(customer__name__icontains=query)
        | Q(customer__business_id__icontains=query)
        | Q(device_type__icontains=query)
    )
    if serial:
        condition |= Q(serial_upper__contains=serial)
    return (
        Device.objects.select_related(
            "vendor", "customer", "site", "contract", "contract__service_level"
        )
        .annotate(serial_upper=Upper("serial_number"))
        .filter(condition)
        .order_by("customer__name", "serial_number")
    )


def find_callers(query: str) -> Matches:
    # NUL and other control characters would be a database error on PostgreSQL, not a match.
    query = clean_line(query, max_length=200)
    if len(query) < MIN_QUERY_LENGTH:
        return Matches([], [])
    return Matches(
        contacts=list(contacts_matching(query)[:RESULT_LIMIT]),
        devices=list(devices_matching(query)[:RESULT_LIMIT]),
    )
