"""Bytes in, a `ParsedMail` out: everything the gateway needs to know about one message.

Mail is hostile input. The parser tolerates what real clients send (wrong charsets, broken
MIME, stacked reply prefixes in many languages) and raises only `MalformedMailError`; the
inbound code quarantines a message on that or on anything unexpected, so one bad mail never
stops the rest. The raw bytes stay stored; what is parsed here is for routing and display.
"""

import email
import time

from santacare.core.addresses import parse_addresses
from santacare.core.text import clean_line, clean_text

from .headers import (
    MAIL_POLICY,
    forget_headers,
    header_message_id,
    is_urgent,
    message_ids,
    read_authentication,
    read_header,
)
from .html_body import MAX_HTML_CHARS, flatten_html, html_to_text, measure_markup, sanitize_html
from .machine import machine_reason
from .mime import MAX_MIME_DELIMITERS, count_mime_delimiters, read_parts
from .parsed import MailOverBudgetError, MalformedMailError, ParsedMail

MAX_TEXT_CHARS = 500_000

OWN_HEADER_PREFIX = "x-santacare-"


def parse_mail(raw: bytes, *, deadline: float | None = None) -> ParsedMail:
    """Parse one raw message; raises only MalformedMailError (MailOverBudgetError when the
    `time.monotonic()` deadline passes between two stages)."""
    try:
        return _parse(raw, _Budget(deadline))
    except MalformedMailError:
        raise
    except Exception as error:
        raise MalformedMailError(f"{type(error).__name__}: {error}") from error


class _Budget:
    """No single stage can be interrupted, so each is capped; the clock is read between them."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline

    def check(self, stage: str) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise MailOverBudgetError(f"processing time budget used up {stage}")


def _parse(raw: bytes, budget: _Budget) -> ParsedMail:
    if not raw or not raw.strip():
        raise MalformedMailError("empty message")
    # The stdlib parser's cost grows with the number of parts; count them in the bytes first.
    delimiters = count_mime_delimiters(raw)
    if delimiters > MAX_MIME_DELIMITERS:
        raise MalformedMailError(
            f"too many MIME parts: {delimiters} boundaries (limit {MAX_MIME_DELIMITERS})"
        )
    message = email.message_from_bytes(raw, policy=MAIL_POLICY)
    budget.check("after reading the MIME structure")
    # Our own header namespace is never trusted from outside (RT CVE-2012-4735/2023-41259);
    # the loop header is read first, since answering our own mail is the only thing it stops.
    parsed = ParsedMail()
    parsed.message_id = header_message_id(read_header(message, "Message-ID"))
    parsed.subject = clean_line(read_header(message, "Subject"), max_length=998)
    senders = parse_addresses(read_header(message, "From"))
    if len(senders) == 1:
        parsed.from_name = clean_line(senders[0][0], max_length=200)
        parsed.from_address = senders[0][1]
    elif senders:
        parsed.defects.append("more than one From address")
    parsed.to = [address for _name, address in parse_addresses(read_header(message, "To"))][:50]
    parsed.in_reply_to = message_ids(read_header(message, "In-Reply-To"))
    parsed.references = message_ids(read_header(message, "References"))
    if "Return-Path" in message:
        return_path = read_header(message, "Return-Path").strip()
        parsed.return_path = "" if return_path in ("<>", "") else return_path.strip("<>").lower()
    parsed.machine_reason = machine_reason(message, parsed)
    for name in {key for key in message if key.lower().startswith(OWN_HEADER_PREFIX)}:
        del message[name]
    forget_headers(message)

    texts, htmls = read_parts(message, parsed)
    budget.check("after decoding the parts")
    text = "\n\n".join(t for t in texts if t.strip())
    html = "\n".join(htmls)[:MAX_HTML_CHARS]
    over_limits = measure_markup(html).over_limits() if html else ""
    if over_limits:
        parsed.limits_applied.append(f"{over_limits}: shown as plain text")
        text = text or flatten_html(html)
    elif html:
        parsed.html = sanitize_html(html)
        budget.check("after sanitizing the HTML")
        # inscriptis gives up (an empty string) on markup a few hundred levels deep.
        text = text or html_to_text(parsed.html).strip() or flatten_html(parsed.html)
    parsed.text = clean_text(text, max_length=MAX_TEXT_CHARS)
    budget.check("after extracting the text")
    parsed.defects += [type(defect).__name__ for defect in message.defects][:20]

    parsed.suppress_auto_reply = bool(read_header(message, "X-Auto-Response-Suppress").strip())
    parsed.urgent = is_urgent(message, parsed.subject, parsed.text)
    parsed.authentication, parsed.authentication_results = read_authentication(message)
    return parsed
