"""Phone numbers in one shape: E.164 ("+358401112222"), the default region Finland.

The register keeps each number as it was typed, for people to read; `Contact.phone_e164` keeps
it normalised here, once, when the contact is saved, so the phone system's caller is found by an
indexed equality instead of string gymnastics over every row.
"""

import phonenumbers

DEFAULT_REGION = "FI"
# Longer than any real number with its separators; refused before the parser spends time on it.
MAX_INPUT_LENGTH = 40


def to_e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """The number in E.164, or "" when it is empty, anonymous or not a possible number.

    "040 111 2222", "+358 40 111 2222" and "00358401112222" all give "+358401112222".
    """
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_INPUT_LENGTH:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def readable(e164: str) -> str:
    """An E.164 number the way people write it ("+358 40 1112222"), for pages and notes."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
