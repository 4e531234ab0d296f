"""Phone numbers normalised once (R7): the phone system's caller is found by indexed equality."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from santacare.customers.models import Contact
from santacare.customers.phones import readable, to_e164
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    ["+358 40 111 2222", "040-111 2222", "0401112222", "00358 40 1112222", "(040) 111 2222"],
)
def test_r7_every_way_of_writing_a_finnish_number_gives_one_e164(typed):
    assert to_e164(typed) == "+358401112222"


@pytest.mark.parametrize("typed", ["", "anonymous", "12", "not a number", "+" + "9" * 50])
def test_what_is_not_a_phone_number_gives_nothing(typed):
    assert to_e164(typed) == ""


def test_foreign_numbers_keep_their_country():
    assert to_e164("+46 8 123 456 78") == "+46812345678"
    assert readable("+358401112222") == "+358 40 1112222"


def test_r7_the_contact_keeps_its_number_as_typed_and_normalised(alice):
    alice.phone = "040 111 2222"
    alice.save()
    alice.refresh_from_db()
    assert alice.phone == "040 111 2222"
    assert alice.phone_e164 == "+358401112222"

    alice.phone = "09 4242 0000"
    alice.save(update_fields=["phone"])
    alice.refresh_from_db()
    assert alice.phone_e164 == "+358942420000"


def test_the_data_migration_fills_existing_contacts():
    contact = ContactFactory(phone="050 123 4567")
    Contact.objects.filter(pk=contact.pk).update(phone_e164="")
    migration = importlib.import_module("santacare.customers.migrations.0005_contact_phone_e164")

    migration.fill_phone_e164(django_apps, None)

    contact.refresh_from_db()
    assert contact.phone_e164 == "+358501234567"


@pytest.mark.postgres
def test_the_lookup_by_number_uses_the_index_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN output is PostgreSQL's")
    for n in range(30):
        ContactFactory(phone=f"040 {n:07d}")
    queryset = Contact.objects.filter(phone_e164="+358401112222")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "phone_e164" in plan
    assert "Seq Scan" not in plan
