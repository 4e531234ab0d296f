"""What parsing one message yields, and the one error the parser raises."""

from dataclasses import dataclass, field

from santacare.tickets.tracking import find_tracking_number

from .quoting import strip_quoted_text


class MalformedMailError(ValueError):
    pass


class MailOverBudgetError(MalformedMailError):
    """The mail cost more time than one mail may; it is quarantined, not tried again."""


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
    # Caps that changed what is shown (say, HTML too deep to sanitize, shown as plain text):
    # recorded in the mail's reason, so agents know why it looks plainer than it was sent.
    limits_applied: list[str] = field(default_factory=list)

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
