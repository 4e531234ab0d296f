"""The mail gateway's durable state: every message in, stored raw before anything reads it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from santacare.core.models import TimestampedModel
from santacare.tickets.models import Message, Ticket
from santacare.tickets.outcomes import Outcome as IntakeOutcome
from santacare.tickets.outcomes import Reason


class MailReason(models.TextChoices):
    """Why a mail had its outcome, where intake's own reasons (`tickets.outcomes.Reason`) do
    not say it: stored on InboundMail beside them and printed by `santacare mailgate --json`."""

    DMARC_FAIL = "dmarc_fail", _("Sender's domain failed DMARC")
    UNVERIFIED = "unverified", _("Sender not verified by our mail server")
    RATE_LIMITED = "rate_limited", _("Too many new requests from this sender")
    BOUNCE = "bounce", _("Bounce of our own mail")
    # Why a robot's mail was ignored (mailgate/machine.py): no robot gets an automatic answer.
    OWN_MAIL = "own_mail", _("Our own mail came back")
    REPORT = "report", _("Read receipt or other report")
    AUTO_SUBMITTED = "auto_submitted", _("Sent automatically (Auto-Submitted)")
    PRECEDENCE = "precedence", _("Bulk or list mail (Precedence)")
    MAILING_LIST = "mailing_list", _("Mailing list")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    LOOP = "loop", _("Mail loop")
    NULL_SENDER = "null_sender", _("No return address (null sender)")
    NO_SENDER = "no_sender", _("No sender")


class InboundMail(TimestampedModel):
    """One message as it arrived, stored before anything else reads it; the agents' quarantine
    list shows the held and quarantined ones."""

    class Source(models.TextChoices):
        PIPE = "pipe", _("MTA pipe (santacare mailgate)")
        SMTP = "smtp", _("SMTP listener")
        IMAP = "imap", _("IMAP mailbox")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received, not yet processed")
        PROCESSED = "processed", _("Processed")

    class Outcome(models.TextChoices):
        # Intake's outcomes, as intake names them; then the ones only mail can have.
        CREATED = IntakeOutcome.CREATED.value, IntakeOutcome.CREATED.label
        APPENDED = IntakeOutcome.APPENDED.value, IntakeOutcome.APPENDED.label
        INFO_REQUESTED = IntakeOutcome.INFO_REQUESTED.value, IntakeOutcome.INFO_REQUESTED.label
        MUST_CALL = IntakeOutcome.MUST_CALL.value, IntakeOutcome.MUST_CALL.label
        REDIRECTED = IntakeOutcome.REDIRECTED.value, IntakeOutcome.REDIRECTED.label
        REFUSED = IntakeOutcome.REFUSED.value, IntakeOutcome.REFUSED.label
        QUARANTINED = "quarantined", _("Quarantined")
        DUPLICATE = "duplicate", _("Duplicate")
        IGNORED = "ignored", _("Ignored (automatic mail)")

    class Authentication(models.TextChoices):
        PASS = "pass", _("DMARC pass")
        FAIL = "fail", _("DMARC fail")
        NONE = "none", _("No DMARC result")
        UNVERIFIED = "unverified", _("Unverified: no Authentication-Results from our MTA")

    # The raw message: in the database by default; with object storage (SANTACARE_S3_*) a file
    # there, `raw_file`, and `raw` stays empty. Rows stored before keep their bytes in `raw`, and
    # `raw_message` reads either.
    raw = models.BinaryField(_("raw message"), blank=True, default=b"")
    raw_file = models.FileField(_("raw message file"), blank=True, max_length=255, db_default="")
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    # sha256 of the Message-ID, or of the raw bytes when there is none: the same mail delivered
    # twice (MTA retry, two of our aliases in Bcc) is stored once.
    dedup_key = models.CharField(max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    envelope_sender = models.CharField(_("envelope sender"), max_length=998, blank=True)
    envelope_recipients = models.JSONField(_("envelope recipients"), default=list, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)

    # Filled by processing; the list view shows them without parsing the raw message again.
    from_address = models.CharField(_("from"), max_length=998, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.RECEIVED, db_index=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_mails"
    )
    ticket_message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_mails"
    )
    authentication = models.CharField(
        _("authentication"), max_length=10, choices=Authentication, blank=True
    )
    authentication_results = models.TextField(_("Authentication-Results"), blank=True)
    is_held = models.BooleanField(_("held for review"), default=False, db_index=True)
    is_quarantined = models.BooleanField(_("quarantined"), default=False, db_index=True)
    # Counted when a processor claims the mail, before it reads a byte, so a mail that kills
    # its processor every time is quarantined after a few tries instead of looping forever.
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mail")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["from_address", "received_at"])]

    def __str__(self) -> str:
        return f"{self.from_address or self.envelope_sender} {self.subject[:60]}"

    def raw_message(self) -> bytes:
        if self.raw_file:
            with self.raw_file.open("rb") as stored:
                return bytes(stored.read())
        return bytes(self.raw)

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language: each code in it by its label; free text (the
        cause of a quarantine, a cap that applied) as it was written."""
        labels = {**dict(Reason.choices), **dict(MailReason.choices)}
        return "; ".join(str(labels.get(part, part)) for part in self.reason.split("; "))

    @property
    def needs_review(self) -> bool:
        return (self.is_held or self.is_quarantined) and self.reviewed_at is None
