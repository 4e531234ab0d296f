"""Mail in: store the raw bytes first (`store.py`), then route the message through the one
intake service (`routing.py`); the agents' actions on held mail are in `review.py`.

Semantics (docs/mail.md): exactly-once effect. `store_inbound_mail` commits the raw message in
its own short transaction, de-duplicated on the Message-ID (or the raw bytes' hash when there is
none); only then may the caller acknowledge it (exit 0, SMTP 250, IMAP move). Processing runs
in one transaction per message with the row locked, so a crash anywhere leaves the mail
`received` and the sweep processes it again, once.
"""

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.db import DatabaseError, transaction

from santacare.core import faults
from santacare.core.time import now

from .models import InboundMail
from .parse import parse_mail
from .routing import MailOutcome, route
from .store import store_inbound_mail

logger = logging.getLogger(__name__)

# A mail left `received` this long was lost by its processor (a crash): the sweep takes it.
PENDING_GRACE = timedelta(minutes=2)


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
    """Process one stored mail (once); quarantine it if it cannot be understood."""
    try:
        with transaction.atomic():
            mail = InboundMail.objects.select_for_update().get(pk=mail_id)
            if mail.state == InboundMail.State.PROCESSED:
                return MailOutcome.recorded(mail)
            parsed = parse_mail(bytes(mail.raw))
            outcome = route(mail, parsed)
            faults.point(faults.MID_TRANSACTION)
            _record(mail, outcome)
    except (DatabaseError, faults.InjectedFault):
        raise  # transient or a simulated crash: the mail stays `received` for the sweep
    except Exception as error:
        logger.exception("Inbound mail %s quarantined", mail_id)
        return _quarantine(mail_id, f"{type(error).__name__}: {error}")
    faults.point(faults.AFTER_COMMIT)
    return outcome


def _record(mail: InboundMail, outcome: MailOutcome) -> None:
    mail.state = InboundMail.State.PROCESSED
    mail.outcome = outcome.outcome
    mail.reason = mail.reason or outcome.reason
    mail.processed_at = now()
    mail.processing_attempts += 1
    mail.save()


@transaction.atomic
def _quarantine(mail_id: int, reason: str) -> MailOutcome:
    mail = InboundMail.objects.select_for_update().get(pk=mail_id)
    mail.state = InboundMail.State.PROCESSED
    mail.outcome = InboundMail.Outcome.QUARANTINED
    mail.is_quarantined = True
    mail.reason = reason[:5000]
    mail.processed_at = now()
    mail.processing_attempts += 1
    mail.save()
    return MailOutcome(InboundMail.Outcome.QUARANTINED, reason=mail.reason, mail_id=mail.pk)


def process_pending_inbound(*, older_than: timedelta = PENDING_GRACE, limit: int = 100) -> int:
    """The sweep: process mail a crash or a lost task left `received`. Returns how many."""
    pending = InboundMail.objects.filter(
        state=InboundMail.State.RECEIVED, received_at__lte=now() - older_than
    ).values_list("pk", flat=True)[:limit]
    done = 0
    for mail_id in list(pending):
        try:
            process_stored_mail(mail_id)
            done += 1
        except DatabaseError:
            logger.exception("Inbound mail %s: database error, will retry", mail_id)
    return done
