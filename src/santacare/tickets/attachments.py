"""Files that customers and agents attach: stored outside the web root, served only as downloads.

Inbound files are hostile until proven otherwise: HTML, SVG and XML parts must never render in
our origin, where a stored script would run with the desk's cookies. So a file's type comes from
its bytes, not from the sender's claim (`filetypes.py`), and every file is served with
`Content-Disposition: attachment`, `nosniff` and a sandboxing CSP, whatever its type.
Callers check permissions first.
"""

import hashlib
import re
import unicodedata
import uuid
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpResponse

from .filetypes import OCTET_STREAM, content_type_from_bytes
from .models import Attachment, Message

MAX_FILENAME_LENGTH = 150
# Types a browser may show after download without running our origin's script; everything
# else is served as application/octet-stream.
SAFE_CONTENT_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv"}
)
_UNSAFE_FILENAME_CHARS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


class AttachmentTooLargeError(ValueError):
    def __init__(self, filename: str, size: int, limit: int) -> None:
        super().__init__(f"{filename}: {size} bytes, the limit is {limit}")
        self.filename = filename
        self.size = size
        self.limit = limit


def max_attachment_bytes() -> int:
    return int(settings.SANTACARE_MAX_ATTACHMENT_BYTES)


def sanitize_filename(filename: str) -> str:
    """A name safe to show and to put in a header: no path, no control characters, no quotes."""
    name = unicodedata.normalize("NFC", filename or "")
    name = PurePosixPath(name.replace("\\", "/")).name  # "../../etc/passwd" → "passwd"
    name = _UNSAFE_FILENAME_CHARS.sub("_", name).strip(" .")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: MAX_FILENAME_LENGTH - len(extension) - 1]}.{extension}"
        else:
            name = name[:MAX_FILENAME_LENGTH]
    return name or "attachment"


def store_attachment(
    message: Message,
    *,
    filename: str,
    content_type: str,
    data: bytes,
    inline: bool = False,
    content_id: str = "",
) -> Attachment:
    """Store a file on a message; raises AttachmentTooLargeError above the size cap.

    `content_type` is the sender's claim: the stored type is what the bytes are.
    """
    name = sanitize_filename(filename)
    limit = max_attachment_bytes()
    if len(data) > limit:
        raise AttachmentTooLargeError(name, len(data), limit)
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        message=message,
        filename=name,
        content_type=content_type_from_bytes(data, claimed=content_type),
        size=len(data),
        sha256=digest,
        content_id=content_id.strip().strip("<>")[:900],
        is_inline=inline,
    )
    # The stored name is ours (ASVS 5.3.2): the customer's file name is only shown, never a path.
    # `Attachment.file`'s upload_to puts it under attachments/<year>/<month>/.
    attachment.file.save(f"{digest[:2]}/{uuid.uuid4().hex}", ContentFile(data), save=False)
    attachment.save()
    return attachment


def content_disposition(filename: str) -> str:
    name = sanitize_filename(filename)
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(attachment: Attachment) -> HttpResponse:
    """The file as a download, never rendered in our origin (call after a permission check)."""
    with attachment.file.open("rb") as stored:
        data = stored.read()
    # Typed again from the bytes: rows stored before types came from the bytes carry the
    # sender's claim.
    content_type = content_type_from_bytes(data, claimed=attachment.content_type)
    if content_type not in SAFE_CONTENT_TYPES:
        content_type = OCTET_STREAM
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
