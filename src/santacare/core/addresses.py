"""Email addresses from untrusted header values: the one parser for mail in and mail out."""

import email.policy
from email.utils import getaddresses

MAX_ADDRESS_HEADER_CHARS = 20_000


def parse_addresses(value: str) -> list[tuple[str, str]]:
    """(name, address) pairs, parsed strictly (CPython CVE-2023-27043); [] if anything is off."""
    value = str(value or "")[:MAX_ADDRESS_HEADER_CHARS]
    if not value.strip():
        return []
    try:
        pairs = getaddresses([value], strict=True)
    except TypeError:
        # Pythons before the strict backport: the policy parser is the RFC 5322 one and
        # records a defect instead of guessing at an address.
        header = email.policy.default.header_factory("To", value)
        if any("invalid" in str(defect).lower() for defect in header.defects):
            return []
        pairs = [(address.display_name, address.addr_spec) for address in header.addresses]
    result = []
    for name, address in pairs:
        if not address or "@" not in address or any(c in address for c in "<>\r\n\0 "):
            return []
        result.append((name, address.lower()))
    return result
