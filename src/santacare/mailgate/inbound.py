"""Mail in: store the raw bytes first (`store.py`), then route the message through the one
intake service (`routing.py`); the agents' actions on held mail are in `review.py`.

Semantics (docs/mail.md): exactly-once effect. `store_inbound_mail` commits the raw message in
its own short transaction, de-duplicated on the Message-ID (or the raw bytes' hash when there is
none); only then may the caller acknowledge it (exit 0, SMTP 250, IMAP move).

Processing claims the mail and counts the attempt in a short transaction of its own, parses
with no lock held and within a time budget, then routes and records the outcome in one
transaction with the row locked. A crash anywhere leaves the mail `received` and the sweep
processes it again, once; a mail whose processing never finishes is quarantined after
MAX_ATTEMPTS tries.
"""

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet

from santacare.core import faults
from santacare.core.logs import log_context
from santacare.core.time import now

from .models import InboundMail
from .parse import parse_mail
from .parsed import MalformedMailError
from .routing import MailOutcome, route
from .store import store_inbound_mail

logger = logging.getLogger(__name__)

# A mail left `received` this long was lost by its processor (a crash): the sweep takes it.
PENDING_GRACE = timedelta(minutes=2)
# A claimed mail is not claimed again by the sweep for this long; it outlasts the processing
# time budget, so only a processor that died leaves a claim to expire.
CLAIM_LEASE = timedelta(minutes=5)
# Attempts that may end without an outcome (the processor killed, the machine restarted)
# before the mail is quarantined rather than tried again.
MAX_ATTEMPTS = 3
# The columns processing fills (`route` sets the first ones, `record_outcome` the rest).
RECORDED_FIELDS = [
    "from_address",
    "subject",
    "authentication",
    "authentication_results",
    "ticket",
    "ticket_message",
    "is_held",
    "state",
    "outcome",
    "reason",
    "processed_at",
    "claimed_until",
    "updated_at",
]


def receive_mail(
    raw: bytes,
    *,
    source: str,
    envelope_sender: str = "",
    envelope_recipients: Sequence[str] = (),
) -> MailOutcome:
    """Store, then process at once; the path of `santacare mailgate` and `fetchmail`."""
    mail, created = store_inbound_mail(
        raw, source=source, envelope_sender=envelope_sender, envelope_recipients=envelope_recipients
    )
    if not created and mail.state == InboundMail.State.PROCESSED:
        return MailOutcome(
            InboundMail.Outcome.DUPLICATE,
            tracking_number=mail.ticket.tracking_number if mail.ticket else None,
            reason=f"already received as mail {mail.pk} ({mail.outcome})",
            mail_id=mail.pk,
        )
    return process_stored_mail(mail.pk)


def process_stored_mail(mail_id: int) -> MailOutcome:
    """Process one stored mail (once); quarantine it if it cannot be understood.

    Takes over a claim another processor holds: the callers (an MTA's retry, a new IMAP fetch)
    come only after the earlier delivery ended, so whoever claimed it is gone.
    """
    outcome = _process(mail_id, take_over=True)
    # Taking over, the only mail that is not ours is a processed one: its outcome answers.
    return outcome or MailOutcome.recorded(InboundMail.objects.get(pk=mail_id))


def process_claimable_mail(mail_id: int) -> MailOutcome | None:
    """Process one stored mail unless a live claim says another worker is on it (then None)."""
    return _process(mail_id, take_over=False)


def _process(mail_id: int, *, take_over: bool) -> MailOutcome | None:
    with log_context(mail_id=mail_id):
        return _process_mail(mail_id, take_over=take_over)


def _process_mail(mail_id: int, *, take_over: bool) -> MailOutcome | None:
    if not _claim(mail_id, take_over=take_over):
        mail = InboundMail.objects.select_related("ticket").defer("raw").get(pk=mail_id)
        return MailOutcome.recorded(mail) if mail.state == InboundMail.State.PROCESSED else None
    # The attempt just counted (committed) and the bytes (or their file), in one round trip.
    stored = InboundMail.objects.only("processing_attempts", "raw", "raw_file").get(pk=mail_id)
    attempt = stored.processing_attempts
    if attempt > MAX_ATTEMPTS:
        return _quarantine(
            mail_id,
            f"gave up: {MAX_ATTEMPTS} attempts to process this mail did not finish "
            "(the processor crashed or was stopped)",
        )
    deadline = time.monotonic() + settings.MAILGATE_PROCESSING_SECONDS
    # Parsed with no transaction open and no lock held: a costly mail delays only itself.
    raw = stored.raw_message()
    faults.point(faults.MID_PARSE)
    try:
        parsed = parse_mail(bytes(raw), deadline=deadline)
    except MalformedMailError as error:
        logger.warning("Inbound mail %s quarantined: %s", mail_id, error)
        return _quarantine(mail_id, f"{type(error).__name__}: {error}")
    try:
        with transaction.atomic():
            # Routing never reads the raw bytes: they stay in the database.
            mail = InboundMail.objects.select_for_update().defer("raw").get(pk=mail_id)
            if mail.state == InboundMail.State.PROCESSED:
                return MailOutcome.recorded(mail)
            outcome = route(mail, parsed)
            faults.point(faults.MID_TRANSACTION)
            record_outcome(mail, outcome, limits_applied=parsed.limits_applied)
            if parsed.limits_applied:
                outcome = replace(outcome, reason=mail.reason)
    except (DatabaseError, faults.InjectedFault):
        raise  # transient or a simulated crash: the mail stays `received` for the sweep
    except Exception as error:
        logger.exception("Inbound mail %s quarantined", mail_id)
        return _quarantine(mail_id, f"{type(error).__name__}: {error}")
    faults.point(faults.AFTER_COMMIT)
    return outcome


def _claim(mail_id: int, *, take_over: bool) -> bool:
    """Count an attempt and take the claim, committed at once (one UPDATE, atomic by itself);
    False when the mail is processed already (or, without `take_over`, claimed by a live
    worker)."""
    moment = now()
    rows = claimable(InboundMail.objects.filter(pk=mail_id), moment=moment, take_over=take_over)
    return bool(
        rows.update(
            processing_attempts=F("processing_attempts") + 1, claimed_until=moment + CLAIM_LEASE
        )
    )


def claimable(
    rows: QuerySet[InboundMail], *, moment: datetime, take_over: bool
) -> QuerySet[InboundMail]:
    """The rows a processor may claim: not processed; without `take_over`, not claimed by a
    live worker either."""
    rows = rows.filter(state=InboundMail.State.RECEIVED)
    if not take_over:
        rows = rows.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=moment))
    return rows


def record_outcome(
    mail: InboundMail, outcome: MailOutcome, *, limits_applied: list[str], save: bool = True
) -> None:
    """Put the outcome on the mail and save RECORDED_FIELDS; `save=False` for a batch that
    writes its mails together."""
    mail.state = InboundMail.State.PROCESSED
    mail.outcome = outcome.outcome
    mail.reason = "; ".join(filter(None, [mail.reason or outcome.reason, *limits_applied]))
    mail.processed_at = mail.updated_at = now()
    mail.claimed_until = None
    if save:
        # Only what processing wrote: a full save sent the raw message back over the wire.
        mail.save(update_fields=RECORDED_FIELDS)


@transaction.atomic
def _quarantine(mail_id: int, reason: str) -> MailOutcome:
    # Deferred raw: save() then writes only the loaded columns, not the message again.
    mail = InboundMail.objects.select_for_update().defer("raw").get(pk=mail_id)
    if mail.state == InboundMail.State.PROCESSED:
        return MailOutcome.recorded(mail)
    return quarantine_locked(mail, reason)


def quarantine_locked(mail: InboundMail, reason: str) -> MailOutcome:
    """Quarantine a mail whose row the caller has locked."""
    mail.state = InboundMail.State.PROCESSED
    mail.outcome = InboundMail.Outcome.QUARANTINED
    mail.is_quarantined = True
    mail.reason = reason[:5000]
    mail.processed_at = now()
    mail.claimed_until = None
    mail.save()
    return MailOutcome(InboundMail.Outcome.QUARANTINED, reason=mail.reason, mail_id=mail.pk)
