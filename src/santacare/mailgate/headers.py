"""Single headers of hostile mail: Message-IDs, urgency (R8) and our own MTA's DMARC verdict."""

import email.policy
import re
from email.message import Message
from email.policy import EmailPolicy
from typing import Any

from django.conf import settings

MAX_HEADER_CHARS = 20_000


def read_header(message: Message, name: str) -> str:
    """One header, decoded; its raw value is capped first, because the policy parser is slow on
    pathological input (100 000 addresses in To: Dovecot CVE-2024-23184)."""
    wanted = name.lower()
    cache = _header_cache(message)
    if wanted in cache.decoded:
        return cache.decoded[wanted]
    raw_value = cache.raw.get(wanted)
    if raw_value is None:
        return ""
    value = _decoded_values.get((wanted, raw_value))
    if value is None:
        try:
            value = str(email.policy.default.header_factory(name, raw_value))
        except Exception:  # a header the policy parser chokes on: keep the raw text
            value = raw_value
        _remember(_decoded_values, (wanted, raw_value), value)
    cache.decoded[wanted] = value
    return value


# The same header values come again and again (To: the desk's address, From: a customer who
# writes every day), and parsing an address header was the dearest part of a parse: values are
# decoded once per process, as _ParsedHeaderPolicy parses them once.
_decoded_values: dict[tuple[str, str], str] = {}


def _remember(cache: dict[tuple[str, str], Any], key: tuple[str, str], value: Any) -> None:
    if len(key[1]) > _CACHED_VALUE_CHARS:
        return
    if len(cache) >= _CACHED_HEADERS:
        cache.clear()
    cache[key] = value


class _HeaderCache:
    """Each header of one message decoded at most once: routing asks for some of them many
    times, and scanning every header per question cost more than the parse itself."""

    def __init__(self, message: Message) -> None:
        self.raw: dict[str, str] = {}
        for key, value in message.raw_items():
            self.raw.setdefault(key.lower(), str(value)[:MAX_HEADER_CHARS])
        self.decoded: dict[str, str] = {}


_CACHE_ATTRIBUTE = "_santacare_headers"


def _header_cache(message: Message) -> _HeaderCache:
    cache = message.__dict__.get(_CACHE_ATTRIBUTE)
    if cache is None:
        cache = _HeaderCache(message)
        message.__dict__[_CACHE_ATTRIBUTE] = cache
    return cache


def forget_headers(message: Message) -> None:
    """After headers were removed from the message, the next read sees the message as it is."""
    message.__dict__.pop(_CACHE_ATTRIBUTE, None)


class _ParsedHeaderPolicy(EmailPolicy):
    """email.policy.default, except that a header value is parsed once: the standard library
    parses Content-Type again on every get_content_type(), get_param() and walk, about thirty
    parses per mail. Header objects are immutable strings, so one parse serves every ask."""

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if hasattr(value, "name") or len(value) > _CACHED_VALUE_CHARS:
            return super().header_fetch_parse(name, value)
        key = (name, value)
        header = _parsed_headers.get(key)
        if header is None:
            header = super().header_fetch_parse(name, value)
            _remember(_parsed_headers, key, header)
        return header


_CACHED_VALUE_CHARS = 2000
_CACHED_HEADERS = 4096
_parsed_headers: dict[tuple[str, str], Any] = {}

MAIL_POLICY = _ParsedHeaderPolicy()


_MESSAGE_ID_RE = re.compile(r"<[^<>\s]{1,400}@[^<>\s]{1,250}>")


def message_ids(value: str) -> list[str]:
    return _MESSAGE_ID_RE.findall(str(value or ""))[:100]


def header_message_id(value: str) -> str:
    """The Message-ID if it looks like one; a junk one counts as none (dedup then uses a hash)."""
    ids = message_ids(value)
    return ids[0] if len(ids) == 1 else ""


_URGENT_WORDS_RE = re.compile(
    r"\bkriittinen\b|\bkriittisen\b|\bcritical\b|\bP1\b|\bverkko (?:on )?alhaalla\b|"
    r"\bnetwork (?:is )?down\b",
    re.I,
)


def is_urgent(message: Message, subject: str, text: str) -> bool:
    """R8: the sender says it is critical, in words or in the headers clients set."""
    importance = str(read_header(message, "Importance") or "").strip().lower()
    priority = str(read_header(message, "Priority") or "").strip().lower()
    x_priority = str(read_header(message, "X-Priority") or "").strip()
    ms_priority = str(read_header(message, "X-MSMail-Priority") or "").strip().lower()
    if importance == "high" or priority == "urgent" or ms_priority == "high":
        return True
    if x_priority[:1] in ("1", "2"):
        return True
    return bool(_URGENT_WORDS_RE.search(subject) or _URGENT_WORDS_RE.search(text[:20_000]))


def read_authentication(message: Message) -> tuple[str, str]:
    """(pass|fail|none|unverified, header) from our own MTA's Authentication-Results (RFC 8601).

    Only the header whose authserv-id is MAILGATE_AUTHSERV_ID counts; anyone can write such a
    header, so the MTA in front must remove forged ones with that id. Without the setting the
    topmost header counts (the closest MTA adds it on top).
    """
    authserv_id = settings.MAILGATE_AUTHSERV_ID.strip().lower()
    headers = [v for k, v in message.raw_items() if k.lower() == "authentication-results"]
    for header in headers[:50]:
        value = " ".join(str(header)[:MAX_HEADER_CHARS].split())
        server = value.split(";", 1)[0].strip().split()[0].lower() if value.strip() else ""
        if authserv_id and server != authserv_id:
            continue
        match = re.search(r"\bdmarc\s*=\s*([a-z]+)", value, re.I)
        result = match[1].lower() if match else "none"
        return ("pass" if result == "pass" else "fail" if result == "fail" else "none"), value
    return "unverified", ""
