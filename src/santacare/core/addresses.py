"""Email addresses from untrusted header values: the one parser for mail in and mail out."""

import email.policy
import functools
import inspect
import re
from email.utils import getaddresses

MAX_ADDRESS_HEADER_CHARS = 20_000

# RFC 5322 §2.2.3: a line break followed by a space or tab is folding, and unfolding removes
# just the line break. Bare LF counts too: a local MTA piping mail to us may have converted CRLF.
_FOLDING_RE = re.compile(r"\r?\n(?=[ \t])")

# CPython's fix for CVE-2023-27043 (3.12.3, 3.11.9 and backports) added getaddresses(strict=).
_HAS_STRICT_GETADDRESSES = "strict" in inspect.signature(getaddresses).parameters


def parse_addresses(value: str) -> list[tuple[str, str]]:
    """(name, address) pairs, parsed strictly (CPython CVE-2023-27043); [] if anything is off."""
    value = _FOLDING_RE.sub("", str(value or "")[:MAX_ADDRESS_HEADER_CHARS])
    if not value.strip() or "\r" in value or "\n" in value:
        # Any line break left is not folding: a header smuggled into this one, or a broken mail.
        return []
    pairs = _cached_pairs(value) if len(value) <= _CACHED_VALUE_CHARS else _strict_pairs(value)
    result: list[tuple[str, str]] = []
    for name, address in pairs:
        if not address or "@" not in address or any(c in address for c in "<>\r\n\0 "):
            return []
        result.append((name, address.lower()))
    return result


def _strict_pairs(value: str) -> tuple[tuple[str, str], ...]:
    if _HAS_STRICT_GETADDRESSES:
        return tuple(getaddresses([value], strict=True))
    # Older Pythons: the policy parser is the RFC 5322 one and records a defect instead of
    # guessing at an address; on some malformed input it crashes instead, with whatever error
    # its internals run into (IndexError, TypeError, even UnboundLocalError), which means the
    # same: not an address we can trust.
    try:
        header = email.policy.default.header_factory("To", value)
    except Exception:
        return ()
    if any("invalid" in str(defect).lower() for defect in header.defects):
        return ()
    return tuple((address.display_name, address.addr_spec) for address in header.addresses)


# The same values come again and again (the desk's own address, customers who write daily),
# and the RFC 5322 parser is slow: a short value is parsed once per process.
_CACHED_VALUE_CHARS = 2000
_cached_pairs = functools.lru_cache(maxsize=4096)(_strict_pairs)
