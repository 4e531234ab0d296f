"""The MIME walk: text and HTML bodies, attachments, forwarded mail and delivery reports, each
decoded whatever charset its sender claimed."""

import re
from email.message import EmailMessage, Message

from santacare.core.text import clean_line

from .headers import message_ids, read_header
from .parsed import ParsedAttachment, ParsedMail

MAX_PARTS = 500
MAX_DEPTH = 20
# Boundary lines a mail may have before the stdlib parser sees it: every part has one, every
# multipart a closing one. 20,000 parts took the parser 9 s; this many take well under one.
MAX_MIME_DELIMITERS = 2 * MAX_PARTS

_BOUNDARY_PARAMETER = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.I)
_DELIMITER_LINE = re.compile(rb"^--([^\r\n]{1,204})", re.M)


def count_mime_delimiters(raw: bytes) -> int:
    """Lines that start a MIME part or end a multipart, counted in the raw bytes (linear).

    A cheap upper bound first: most mail has few lines starting with "--" at all.
    """
    if raw.count(b"\n--") <= MAX_MIME_DELIMITERS:
        return raw.count(b"\n--")
    boundaries = {quoted or bare for quoted, bare in _BOUNDARY_PARAMETER.findall(raw)}
    count = 0
    for match in _DELIMITER_LINE.finditer(raw):
        line = match[1].rstrip(b" \t")
        if line in boundaries or line.removesuffix(b"--") in boundaries:
            count += 1
    return count


def read_parts(message: Message, parsed: ParsedMail) -> tuple[list[str], list[str]]:
    """The text and HTML bodies; attachments, bounce details and defects go onto `parsed`."""
    texts: list[str] = []
    htmls: list[str] = []
    if message.is_multipart():
        _walk(message, parsed, texts, htmls)
    else:
        _visit(message, parsed, texts, htmls, 0)
    return texts, htmls


_CHARSET_FALLBACKS = ("utf-8", "cp1252", "latin-1")


def _decode_text(part: Message) -> str:
    declared = part.get_content_charset() or ""
    raw = part.get_payload(decode=True)
    if declared in ("", "us-ascii", "ascii") and isinstance(raw, bytes) and not raw.isascii():
        # 8-bit text that names no charset (swaks, scripts, old clients): the stdlib would read
        # it as ASCII and turn every ä into a replacement mark. UTF-8 first, then Windows-1252.
        return _decode_with_fallbacks(raw, declared="")
    try:
        # The parser's policy makes every part an EmailMessage; a plain Message has no
        # content manager and falls through to the fallbacks.
        content = part.get_content() if isinstance(part, EmailMessage) else None
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, AssertionError, ValueError, KeyError):
        pass
    if isinstance(raw, str):
        return raw
    return _decode_with_fallbacks(raw if isinstance(raw, bytes) else b"", declared=declared)


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
            parsed.bounced_message_ids += message_ids(read_header(inner, "Message-ID"))
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
