"""The Finnish business ID (Y-tunnus): seven digits, a hyphen and a mod-11 check digit, 1234567-1.

The one definition of a valid business ID: the Customer model's field, its admin and the
install-base import all validate through `validate_business_id`.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ASCII digits only: `\d` would also accept other scripts' digits, which int() reads happily.
BUSINESS_ID_RE = re.compile(r"([0-9]{7})-([0-9])")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def check_digit(digits: str) -> int | None:
    """The check digit of a business ID's seven digits, or None where no check digit exists.

    The tax administration never issues a number whose weighted sum leaves remainder 1.
    """
    remainder = sum(weight * int(digit) for weight, digit in zip(WEIGHTS, digits, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def validate_business_id(value: str) -> None:
    match = BUSINESS_ID_RE.fullmatch(value)
    if not match:
        raise ValidationError(_("Enter a business ID in the form 1234567-1."), code="format")
    if check_digit(match[1]) != int(match[2]):
        raise ValidationError(
            _("The check digit of business ID %(value)s does not match: check the number."),
            code="check_digit",
            params={"value": value},
        )
