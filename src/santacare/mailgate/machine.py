"""Mail a robot sent (bounces, auto-replies, lists, loops, our own mail): no robot gets an
automatic answer (RFC 3834)."""

import re
from email.message import Message

from santacare.outbox.identity import LOOP_HEADER, is_own_loop_header, is_own_message_id

from .headers import read_header
from .models import MailReason
from .parsed import ParsedMail

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
    """Why this mail came from a robot, or "" (the signals RT, osTicket and Zammad read)."""
    if is_own_loop_header(str(read_header(message, LOOP_HEADER) or "")):
        return MailReason.OWN_MAIL
    if parsed.message_id and is_own_message_id(parsed.message_id):
        return MailReason.OWN_MAIL
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type", "") or "").lower()
    sender = parsed.from_address
    if (
        (content_type == "multipart/report" and report_type == "delivery-status")
        or sender.startswith(("mailer-daemon@", "postmaster@"))
        or read_header(message, "X-Failed-Recipients")
        or (parsed.return_path == "" and _BOUNCE_SUBJECT_RE.match(parsed.subject))
    ):
        return MailReason.BOUNCE
    if content_type == "multipart/report":
        return MailReason.REPORT  # read receipts (disposition-notification) and the like
    auto_submitted = str(read_header(message, "Auto-Submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return MailReason.AUTO_SUBMITTED
    precedence = str(
        read_header(message, "Precedence") or read_header(message, "X-Precedence") or ""
    )
    if precedence.strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return MailReason.PRECEDENCE
    if read_header(message, "List-Id") or read_header(message, "List-Unsubscribe"):
        return MailReason.MAILING_LIST
    if any(read_header(message, name) for name in _AUTO_REPLY_HEADERS):
        return MailReason.AUTO_REPLY
    if str(read_header(message, "X-Loop") or "").strip():
        return MailReason.LOOP
    if parsed.return_path == "":
        return MailReason.NULL_SENDER
    if not sender:
        return MailReason.NO_SENDER
    return ""
