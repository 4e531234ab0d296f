"""Cleaning of text that strangers send us: every channel passes its fields through here."""

import re
import unicodedata

# Control characters other than tab and newline have no business in a ticket, and NUL bytes
# break PostgreSQL text columns.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
TRUNCATION_MARK = " […]"


def clean_text(value: str | None, *, max_length: int) -> str:
    """Multi-line text: line ends normalised, control characters removed, length capped."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", unicodedata.normalize("NFC", text)).strip()
    if len(text) > max_length:
        text = text[: max_length - len(TRUNCATION_MARK)] + TRUNCATION_MARK
    return text


def clean_line(value: str | None, *, max_length: int) -> str:
    """One line (a subject, a name): any line break becomes a space, so it can never smuggle
    an extra header into the mail we send."""
    if not value:
        return ""
    return clean_text(" ".join(value.split()), max_length=max_length)


def search_text(value: str | None, *, max_length: int) -> str:
    """What someone typed into a search box: control characters removed (PostgreSQL refuses a
    NUL in a query parameter with an error, a 500 for `?q=%00`), cut without a mark."""
    return _CONTROL_RE.sub("", value or "").strip()[:max_length]
