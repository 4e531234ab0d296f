"""The Finnish business ID (Y-tunnus) and its mod-11 check digit: the customer's identity (R1)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from santacare.customers.business_id import WEIGHTS, validate_business_id
from santacare.customers.models import Customer

seven_digits = st.text(alphabet="0123456789", min_size=7, max_size=7)


def published_check_digit(digits: str) -> int:
    """The rule as the tax administration states it: the weighted sum plus the check digit is
    divisible by 11. Written independently of the code under test."""
    total = sum(weight * int(digit) for weight, digit in zip(WEIGHTS, digits, strict=True))
    return -total % 11


valid_ids = seven_digits.filter(lambda digits: published_check_digit(digits) < 10).map(
    lambda digits: f"{digits}-{published_check_digit(digits)}"
)


def code_of(value: str) -> str | None:
    try:
        validate_business_id(value)
    except ValidationError as error:
        return error.code
    return None


@settings(max_examples=300, deadline=None)
@given(business_id=valid_ids)
def test_r1_every_valid_business_id_is_accepted(business_id):
    assert code_of(business_id) is None


@settings(max_examples=300, deadline=None)
@given(business_id=valid_ids, position=st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8]), data=st.data())
def test_r1_every_single_digit_change_is_rejected(business_id, position, data):
    new_digit = data.draw(st.sampled_from([d for d in "0123456789" if d != business_id[position]]))
    changed = business_id[:position] + new_digit + business_id[position + 1 :]

    assert code_of(changed) == "check_digit"


def test_r1_real_business_ids_are_accepted():
    # Nokia Oyj, Kesko Oyj, Finnair Oyj.
    for business_id in ("0112038-9", "0109862-8", "0108023-3"):
        assert code_of(business_id) is None, business_id


def test_r1_a_number_whose_sum_leaves_remainder_1_has_no_valid_check_digit():
    digits = "1000008"  # 7 * 1 + 2 * 8 = 23, remainder 1: the tax administration skips it

    assert [code_of(f"{digits}-{check}") for check in range(10)] == ["check_digit"] * 10


@pytest.mark.parametrize(
    "value",
    ["12345678", "1234567-", "123456-78", "1234567-1\n", " 1234567-1", "١٢٣٤٥٦٧-1", "ABCDEFG-1"],
)
def test_r1_business_id_not_in_the_written_form_is_rejected(value):
    assert code_of(value) == "format"


@pytest.mark.django_db
def test_r1_admin_refuses_a_customer_whose_business_id_has_a_wrong_check_digit(admin_client):
    form = {
        "name": "Typo Oy",
        "business_id": "1234567-8",
        "language": "fi",
        "is_active": "on",
        "sites-TOTAL_FORMS": "0",
        "sites-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }

    response = admin_client.post("/admin/customers/customer/add/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "The check digit of business ID 1234567-8 does not match" in response.content.decode()
    assert not Customer.objects.exists()

    admin_client.post("/admin/customers/customer/add/", {**form, "business_id": "1234567-1"})

    assert Customer.objects.get().business_id == "1234567-1"
