"""What a file is, read from its first bytes: the sender's content type is only a claim.

An uploaded page of HTML claimed as image/png must never be stored, or served, as an image. So
the stored type comes from the bytes (a small table of signatures, as browsers' own MIME
sniffing uses), and a claim the bytes contradict gives application/octet-stream.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

OCTET_STREAM = "application/octet-stream"

# Claims that say nothing about the content; the bytes decide.
_NO_CLAIM = frozenset({"", OCTET_STREAM, "binary/octet-stream", "application/unknown"})


@dataclass(frozen=True)
class FileKind:
    content_type: str
    # Other names for the same type: stored under `content_type`.
    synonyms: frozenset[str] = frozenset()
    # Narrower types with this container (a .docx is a ZIP): stored as the sender claimed.
    narrower: Callable[[str], bool] = field(default=lambda claim: False)

    def type_for(self, claim: str) -> str:
        if claim in _NO_CLAIM or claim == self.content_type or claim in self.synonyms:
            return self.content_type
        return claim if self.narrower(claim) else OCTET_STREAM


def _one_of(*claims: str) -> Callable[[str], bool]:
    return frozenset(claims).__contains__


PDF = FileKind("application/pdf", frozenset({"application/x-pdf"}))
PNG = FileKind("image/png")
JPEG = FileKind("image/jpeg", frozenset({"image/jpg", "image/pjpeg"}))
GIF = FileKind("image/gif")
WEBP = FileKind("image/webp")
TIFF = FileKind("image/tiff")
ZIP = FileKind(
    "application/zip",
    frozenset({"application/x-zip-compressed", "application/x-zip"}),
    lambda claim: claim.startswith(
        (
            "application/vnd.openxmlformats-officedocument.",
            "application/vnd.oasis.opendocument.",
            "application/vnd.ms-excel.sheet.macroenabled",
            "application/java-archive",
        )
    ),
)
OLE = FileKind(  # the container of legacy Office files and Outlook .msg
    "application/x-ole-storage",
    narrower=_one_of(
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.ms-outlook",
        "application/x-msi",
    ),
)
GZIP = FileKind(
    "application/gzip",
    frozenset({"application/x-gzip"}),
    _one_of("application/x-compressed-tar", "application/x-tgz", "application/x-tar"),
)
SEVEN_ZIP = FileKind("application/x-7z-compressed")
RAR = FileKind("application/vnd.rar", frozenset({"application/x-rar-compressed"}))
PCAP = FileKind("application/vnd.tcpdump.pcap", frozenset({"application/x-pcapng"}))
TNEF = FileKind("application/ms-tnef", frozenset({"application/vnd.ms-tnef"}))
RTF = FileKind("application/rtf", frozenset({"text/rtf"}))

# Markup runs script when a browser renders it; only its own name agrees with it.
HTML = FileKind("text/html", frozenset({"application/xhtml+xml"}))
SVG = FileKind("image/svg+xml")
XML = FileKind("application/xml", frozenset({"text/xml"}))

_MARKUP_CLAIMS = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml"})
TEXT = FileKind(
    "text/plain",
    narrower=lambda claim: (
        (claim.startswith(("text/", "message/")) or claim == "application/json")
        and claim not in _MARKUP_CLAIMS
    ),
)

_SIGNATURES: tuple[tuple[bytes, FileKind], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
    (b"\x1f\x8b", GZIP),
    (b"7z\xbc\xaf\x27\x1c", SEVEN_ZIP),
    (b"Rar!\x1a\x07", RAR),
    (b"\xd4\xc3\xb2\xa1", PCAP),
    (b"\xa1\xb2\xc3\xd4", PCAP),
    (b"\x0a\x0d\x0d\x0a", PCAP),
    (b"\x78\x9f\x3e\x22", TNEF),
    (b"{\\rtf", RTF),
)

# The starts a browser takes for HTML (WHATWG MIME sniffing), lower-cased.
_HTML_STARTS = tuple(
    f"<{tag}".encode()
    for tag in (
        "!doctype html",
        "html",
        "head",
        "script",
        "iframe",
        "h1",
        "div",
        "font",
        "table",
        "a",
        "style",
        "title",
        "b",
        "body",
        "br",
        "p",
        "!--",
    )
)
_TAG_ENDS = (b" ", b">", b"\t", b"\n", b"\r", b"\f", b"/")
_BYTE_ORDER_MARKS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_SNIFF_BYTES = 8192


def detect(data: bytes) -> FileKind | None:
    """The kind the first bytes show; None for binary we do not know."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head or not _is_text(head):
        return None
    return _markup(head) or TEXT


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multibyte character cut by the sniffing window is still text.
        if error.start < len(head) - 3:
            return _mostly_printable(head)
    return True


def _mostly_printable(head: bytes) -> bool:
    # Windows-1252 and Latin-1 text: letters above 0x7f, few control characters.
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\f")
    return controls * 50 < len(head)


def _markup(head: bytes) -> FileKind | None:
    start = head
    for mark in _BYTE_ORDER_MARKS:
        start = start.removeprefix(mark)
    start = start.lstrip().lower()
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in start):
        return SVG
    if start.startswith(b"<?xml"):
        return XML
    for opening in _HTML_STARTS:
        # A browser wants a space or ">" after the tag name; any end of a tag name counts here.
        if start.startswith(opening) and start[len(opening) : len(opening) + 1] in _TAG_ENDS:
            return HTML
    return None


def content_type_from_bytes(data: bytes, *, claimed: str) -> str:
    """The type to store and serve: the bytes' type, or the sender's narrower name for it
    (a .docx is a ZIP); application/octet-stream when the claim contradicts the bytes."""
    kind = detect(data)
    claim = (claimed or "").split(";")[0].strip().lower()
    return kind.type_for(claim) if kind else OCTET_STREAM
