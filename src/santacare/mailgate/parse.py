"""Bytes in, a `ParsedMail` out: everything the gateway needs to know about one message.

Mail is hostile input. The parser tolerates what real clients send (wrong charsets, broken
MIME, stacked reply prefixes in many languages) and raises only `MalformedMailError`; the
inbound code quarantines a message on that or on anything unexpected, so one bad mail never
stops the rest. The raw bytes stay stored; what is parsed here is for routing and display.
"""

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

import nh3
from django.conf import settings
from inscriptis import get_text

from santacare.core.addresses import parse_addresses
from santacare.core.text import clean_line, clean_text
from santacare.tickets.tracking import find_tracking_number

MAX_PARTS = 500
MAX_DEPTH = 20
MAX_HTML_CHARS = 2_000_000
MAX_TEXT_CHARS = 500_000
MAX_HEADER_CHARS = 20_000

OWN_HEADER_PREFIX = "x-santacare-"
LOOP_HEADER = "X-SantaCare-Loop"


class MalformedMailError(ValueError):
    pass


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""


@dataclass
class ParsedMail:
    message_id: str = ""
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    return_path: str | None = None  # None: no header; "": the null sender <>
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Why a robot sent this ("" for a person): no robot gets an automatic answer (RFC 3834).
    machine_reason: str = ""
    bounced_recipients: list[str] = field(default_factory=list)
    bounced_message_ids: list[str] = field(default_factory=list)
    suppress_auto_reply: bool = False
    urgent: bool = False
    authentication: str = "unverified"
    authentication_results: str = ""
    defects: list[str] = field(default_factory=list)

    @property
    def tracking_number(self) -> str | None:
        return find_tracking_number(self.subject)

    @property
    def thread_ids(self) -> list[str]:
        return [*self.in_reply_to, *reversed(self.references)]

    @property
    def reply_text(self) -> str:
        """The new part of a reply, quoted history cut (the raw message keeps all of it)."""
        return strip_quoted_text(self.text)


_MESSAGE_ID_RE = re.compile(r"<[^<>\s]{1,400}@[^<>\s]{1,250}>")


def message_ids(value: str) -> list[str]:
    return _MESSAGE_ID_RE.findall(str(value or ""))[:100]


def header_message_id(value: str) -> str:
    """The Message-ID if it looks like one; a junk one counts as none (dedup then uses a hash)."""
    ids = message_ids(value)
    return ids[0] if len(ids) == 1 else ""


# --- Subjects ------------------------------------------------------------------------------------

# Reply and forward prefixes of many languages (REFERENCE B4), stacked, any case, with optional
# counters ("RE[2]:", "Re (3):") and the full-width colon.
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|vast|antw|r|rif|res|odp|ynt|vá|απ|σχετ|回复|答复|fw|fwd|wg|vb|vl|"
    r"doorst|tr|i|rv|enc|pd|i̇lt|转发|vidarebefordrat|välitetty)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def strip_subject_prefixes(subject: str) -> str:
    return _PREFIX_RE.sub("", subject, count=1).strip()


# --- Quoted history ------------------------------------------------------------------------------

_HEADER_BLOCK_START = re.compile(r"^\s*\**(lähettäjä|from|från|von|de|van)\s*:\**\s", re.I)
_HEADER_BLOCK_NEXT = re.compile(
    r"^\s*\**(lähetetty|sent|skickat|gesendet|envoyé|verzonden|date|päivämäärä|datum|"
    r"vastaanottaja|to|till|an|aihe|subject|ämne|betreff)\s*:",
    re.I,
)
_WROTE_RE = re.compile(r"(kirjoitti|wrote|skrev|schrieb|a écrit|schreef)\s*:\s*$", re.I)
_SEPARATOR_RE = re.compile(
    r"^\s*-{2,}\s*(alkuperäinen viesti|original message|ursprungligt meddelande|"
    r"ursprüngliche nachricht|välitetty viesti|forwarded message|vidarebefordrat meddelande)"
    r"\s*-{2,}\s*$",
    re.I,
)
_UNDERSCORES_RE = re.compile(r"^\s*_{10,}\s*$")


def strip_quoted_text(text: str) -> str:
    """Cut the quoted history of a reply: Outlook header blocks (FI/SV/EN/DE), "… kirjoitti:" /
    "On … wrote:" lines, "-----Alkuperäinen viesti-----" separators and trailing "> " lines."""
    lines = text.splitlines()
    cut = len(lines)
    for index, line in enumerate(lines):
        if _SEPARATOR_RE.match(line):
            cut = index
            break
        if _UNDERSCORES_RE.match(line) and any(
            _HEADER_BLOCK_START.match(following) for following in lines[index + 1 : index + 3]
        ):
            cut = index
            break
        if _HEADER_BLOCK_START.match(line) and any(
            _HEADER_BLOCK_NEXT.match(following) for following in lines[index + 1 : index + 5]
        ):
            cut = index
            break
        if _WROTE_RE.search(line):
            # Gmail wraps "On Mon, … <x@y>" and "wrote:" onto two lines.
            previous = lines[index - 1].strip() if index else ""
            cut = index - 1 if previous and len(line.strip()) < 20 else index
            break
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    stripped = "\n".join(kept).strip()
    return stripped or text.strip()


# --- Bodies --------------------------------------------------------------------------------------

_ALLOWED_HTML_TAGS = set(nh3.ALLOWED_TAGS)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # No remote loads from customer HTML: a tracking pixel or an SSRF probe (osTicket
    # CVE-2020-24881) needs a URL we would fetch. Inline images (cid:) stay.
    if tag == "img" and attribute == "src" and not value.lower().startswith("cid:"):
        return None
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html[:MAX_HTML_CHARS],
        tags=_ALLOWED_HTML_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        url_schemes={"http", "https", "mailto", "cid"},
        attribute_filter=_keep_attribute,
    )


def html_to_text(html: str) -> str:
    try:
        return get_text(html)
    except Exception:  # inscriptis on pathological markup; the text is only for search
        return nh3.clean(html, tags=set())


_CHARSET_FALLBACKS = ("utf-8", "cp1252", "latin-1")


def _decode_text(part: Message) -> str:
    declared = part.get_content_charset() or ""
    raw = part.get_payload(decode=True)
    if declared in ("", "us-ascii", "ascii") and isinstance(raw, bytes) and not raw.isascii():
        # 8-bit text that names no charset (swaks, scripts, old clients): the stdlib would read
        # it as ASCII and turn every ä into a replacement mark. UTF-8 first, then Windows-1252.
        return _decode_with_fallbacks(raw, declared="")
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, AssertionError, ValueError, KeyError):
        pass
    payload = raw or b""
    if isinstance(payload, str):
        return payload
    return _decode_with_fallbacks(payload, declared=declared)


def _decode_with_fallbacks(payload: bytes, *, declared: str) -> str:
    for charset in (declared, *_CHARSET_FALLBACKS):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeError):
            continue
    return payload.decode("latin-1", errors="replace")


def _part_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    if part.is_multipart() or part.get_content_maintype() == "message":
        try:
            return part.as_bytes()
        except Exception:
            return str(part).encode("utf-8", errors="replace")
    return str(part.get_payload() or "").encode("utf-8", errors="replace")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return clean_line(str(name), max_length=255)


def _walk(
    message: Message, parsed: ParsedMail, texts: list[str], htmls: list[str], depth: int = 0
) -> None:
    if depth > MAX_DEPTH:
        parsed.defects.append("MIME nesting too deep")
        return
    for part in message.iter_parts() if isinstance(message, EmailMessage) else []:
        if len(parsed.attachments) + len(texts) + len(htmls) > MAX_PARTS:
            parsed.defects.append("too many MIME parts")
            return
        try:
            _visit(part, parsed, texts, htmls, depth + 1)
        except Exception as error:
            # One unreadable part does not make the mail unreadable; the raw message keeps it.
            parsed.defects.append(f"unreadable part: {type(error).__name__}")


def _visit(
    part: Message, parsed: ParsedMail, texts: list[str], htmls: list[str], depth: int
) -> None:
    content_type = part.get_content_type()
    disposition = (part.get_content_disposition() or "").lower()
    filename = _filename(part)

    if content_type == "message/delivery-status":
        _read_delivery_status(part, parsed)
        return
    if content_type in ("message/rfc822", "text/rfc822-headers"):
        # A forward or the original of a bounce: kept whole as a file, not read as our body.
        inner = part.get_payload(0) if content_type == "message/rfc822" else part
        if isinstance(inner, Message):
            parsed.bounced_message_ids += message_ids(_header(inner, "Message-ID"))
        parsed.attachments.append(
            ParsedAttachment(
                filename=filename or "forwarded-message.eml",
                content_type="message/rfc822",
                data=_part_bytes(inner if isinstance(inner, Message) else part),
            )
        )
        return
    if part.is_multipart():
        _walk(part, parsed, texts, htmls, depth)
        return
    is_attachment = disposition == "attachment" or (
        filename and content_type not in ("text/plain", "text/html")
    )
    if content_type == "text/plain" and not is_attachment:
        texts.append(_decode_text(part))
    elif content_type == "text/html" and not is_attachment:
        htmls.append(_decode_text(part))
    else:
        content_id = str(part.get("Content-ID", "") or "")
        if content_type == "application/ms-tnef" and not filename:
            filename = "winmail.dat"  # kept as a file: TNEF is Outlook's wrapper, not readable
        parsed.attachments.append(
            ParsedAttachment(
                filename=filename or _default_filename(content_type),
                content_type=content_type,
                data=_part_bytes(part),
                inline=disposition == "inline" or bool(content_id and disposition != "attachment"),
                content_id=clean_line(content_id, max_length=900),
            )
        )


def _default_filename(content_type: str) -> str:
    extension = {
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/gif": "gif",
        "application/pdf": "pdf",
        "text/calendar": "ics",
    }.get(content_type, "bin")
    return f"attachment.{extension}"


def _read_delivery_status(part: Message, parsed: ParsedMail) -> None:
    text = _part_bytes(part).decode("utf-8", errors="replace")
    if not text.strip():
        text = str(part.get_payload() or "")
        if isinstance(part.get_payload(), list):
            text = "\n".join(str(block) for block in part.get_payload())
    for match in re.finditer(
        r"^(?:final|original)-recipient\s*:\s*[^;]*;\s*(\S+)", text, re.I | re.M
    ):
        address = match[1].strip("<>").lower()
        if address not in parsed.bounced_recipients:
            parsed.bounced_recipients.append(address)


# --- Machine mail, urgency, authentication -------------------------------------------------------

_AUTO_REPLY_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-autoresponse",
    "x-autoreply-from",
    "x-mail-autoreply",
    "x-auto-reply",
)
_BOUNCE_SUBJECT_RE = re.compile(
    r"^(undeliverable|undelivered mail|delivery status notification \(failure\)|"
    r"mail delivery failed|delivery failure|returned mail|toimitus epäonnistui|"
    r"ei voitu toimittaa|olevererbart|unzustellbar)",
    re.I,
)


def machine_reason(message: Message, parsed: ParsedMail) -> str:
    """Why this mail came from a robot, or "" (RT, osTicket, Zammad signals; REFERENCE C2)."""
    from .outbound import instance_name, is_own_message_id

    loop = str(_header(message, LOOP_HEADER) or "").strip().lower()
    if loop and loop == instance_name().lower():
        return "own_mail"
    if parsed.message_id and is_own_message_id(parsed.message_id):
        return "own_mail"
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type", "") or "").lower()
    sender = parsed.from_address
    if (
        (content_type == "multipart/report" and report_type == "delivery-status")
        or sender.startswith(("mailer-daemon@", "postmaster@"))
        or _header(message, "X-Failed-Recipients")
        or (parsed.return_path == "" and _BOUNCE_SUBJECT_RE.match(parsed.subject))
    ):
        return "bounce"
    if content_type == "multipart/report":
        return "report"  # read receipts (disposition-notification) and the like
    auto_submitted = str(_header(message, "Auto-Submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto_submitted"
    precedence = str(_header(message, "Precedence") or _header(message, "X-Precedence") or "")
    if precedence.strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return "precedence"
    if _header(message, "List-Id") or _header(message, "List-Unsubscribe"):
        return "mailing_list"
    if any(_header(message, name) for name in _AUTO_REPLY_HEADERS):
        return "auto_reply"
    if str(_header(message, "X-Loop") or "").strip():
        return "loop"
    if parsed.return_path == "":
        return "null_sender"
    if not sender:
        return "no_sender"
    return ""


_URGENT_WORDS_RE = re.compile(
    r"\bkriittinen\b|\bkriittisen\b|\bcritical\b|\bP1\b|\bverkko (?:on )?alhaalla\b|"
    r"\bnetwork (?:is )?down\b",
    re.I,
)


def is_urgent(message: Message, subject: str, text: str) -> bool:
    """R8: the sender says it is critical, in words or in the headers clients set."""
    importance = str(_header(message, "Importance") or "").strip().lower()
    priority = str(_header(message, "Priority") or "").strip().lower()
    x_priority = str(_header(message, "X-Priority") or "").strip()
    ms_priority = str(_header(message, "X-MSMail-Priority") or "").strip().lower()
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
    authserv_id = getattr(settings, "MAILGATE_AUTHSERV_ID", "").strip().lower()
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


# --- The entry point -----------------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    """One header, decoded; its raw value is capped first, because the policy parser is slow on
    pathological input (100 000 addresses in To: Dovecot CVE-2024-23184)."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() != wanted:
            continue
        raw_value = str(value)[:MAX_HEADER_CHARS]
        try:
            return str(email.policy.default.header_factory(name, raw_value))
        except Exception:  # a header the policy parser chokes on: keep the raw text
            return raw_value
    return ""


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one raw message; raises only MalformedMailError."""
    try:
        return _parse(raw)
    except MalformedMailError:
        raise
    except Exception as error:
        raise MalformedMailError(f"{type(error).__name__}: {error}") from error


def _parse(raw: bytes) -> ParsedMail:
    if not raw or not raw.strip():
        raise MalformedMailError("empty message")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    # Our own header namespace is never trusted from outside (RT CVE-2012-4735/2023-41259);
    # the loop header is read first, since answering our own mail is the only thing it stops.
    parsed = ParsedMail()
    parsed.message_id = header_message_id(_header(message, "Message-ID"))
    parsed.subject = clean_line(_header(message, "Subject"), max_length=998)
    senders = parse_addresses(_header(message, "From"))
    if len(senders) == 1:
        parsed.from_name = clean_line(senders[0][0], max_length=200)
        parsed.from_address = senders[0][1]
    elif senders:
        parsed.defects.append("more than one From address")
    parsed.to = [address for _name, address in parse_addresses(_header(message, "To"))][:50]
    parsed.in_reply_to = message_ids(_header(message, "In-Reply-To"))
    parsed.references = message_ids(_header(message, "References"))
    if "Return-Path" in message:
        return_path = _header(message, "Return-Path").strip()
        parsed.return_path = "" if return_path in ("<>", "") else return_path.strip("<>").lower()
    parsed.machine_reason = machine_reason(message, parsed)
    for name in {key for key in message if key.lower().startswith(OWN_HEADER_PREFIX)}:
        del message[name]

    texts: list[str] = []
    htmls: list[str] = []
    if message.is_multipart():
        _walk(message, parsed, texts, htmls)
    else:
        _visit(message, parsed, texts, htmls, 0)
    html = "\n".join(htmls)
    parsed.html = sanitize_html(html) if html else ""
    text = "\n\n".join(t for t in texts if t.strip()) or (html_to_text(parsed.html) if html else "")
    parsed.text = clean_text(text, max_length=MAX_TEXT_CHARS)
    parsed.defects += [type(defect).__name__ for defect in message.defects][:20]

    parsed.suppress_auto_reply = bool(_header(message, "X-Auto-Response-Suppress").strip())
    parsed.urgent = is_urgent(message, parsed.subject, parsed.text)
    parsed.authentication, parsed.authentication_results = read_authentication(message)
    return parsed
