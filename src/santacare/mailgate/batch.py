"""Stored mail processed many at a time: the path of the sweep and of an IMAP fetch.

A commit (and its fsync) per mail was most of what a mail cost (issue 12). Here a batch is
claimed in one short transaction, parsed with no lock held, then routed in ONE transaction. The
batch's lookups are made once for all its mails (senders, devices, the replied tickets, the
automatic-mail counts, new tracking numbers) and its mails' outcomes are written in one
statement. A mail whose routing fails rolls the whole attempt back, and the batch is routed
again with a savepoint per mail: then only the failing mail's savepoint is rolled back and it
is quarantined (or, on a database error, left `received` for the sweep), and the others commit
together. A crash anywhere before that commit leaves every mail of the batch `received`, and
its claim expires; after it, every mail is processed. So each mail is processed once or not
yet, never half (docs/mail.md, the crash-window tests).
"""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F

from santacare.core import faults
from santacare.core.batch_scope import batch_scope
from santacare.core.bulk import update_rows
from santacare.core.logs import log_context
from santacare.core.time import now
from santacare.outbox.services import expect_automatic_mail
from santacare.tickets.tracking import reserve_tracking_numbers

from .inbound import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    PENDING_GRACE,
    RECORDED_FIELDS,
    claimable,
    quarantine_locked,
    record_outcome,
)
from .models import InboundMail
from .parse import parse_mail
from .parsed import MalformedMailError, ParsedMail
from .replies import ReplyTickets
from .routing import MailOutcome, route
from .senders import Senders
from .store import store_inbound_batch

logger = logging.getLogger(__name__)

BATCH_SIZE = 50


@dataclass
class _Claimed:
    mail_id: int
    parsed: ParsedMail | None = None
    quarantine: str = ""


def receive_mail_batch(raws: Sequence[bytes], *, source: str) -> list[MailOutcome]:
    """Store many mails (one transaction), then process them in batches; one outcome per raw
    message, in order, as `receive_mail` gives for one: a mail stored before, or twice in
    `raws`, is a duplicate once it is processed."""
    stored = store_inbound_batch(raws, source=source)
    pending = [mail.pk for mail, _created in stored if mail.state == InboundMail.State.RECEIVED]
    processed = {
        o.mail_id: o for o in process_mail_batch(list(dict.fromkeys(pending)), take_over=True)
    }
    outcomes = []
    for mail, _created in stored:
        outcome = processed.pop(mail.pk, None)
        outcomes.append(outcome or _duplicate(mail.pk))
    return outcomes


def _duplicate(mail_id: int) -> MailOutcome:
    mail = InboundMail.objects.select_related("ticket").defer("raw").get(pk=mail_id)
    return MailOutcome(
        InboundMail.Outcome.DUPLICATE,
        tracking_number=mail.ticket.tracking_number if mail.ticket else None,
        reason=f"already received as mail {mail.pk} ({mail.outcome})",
        mail_id=mail.pk,
    )


def process_mail_batch(mail_ids: Sequence[int], *, take_over: bool) -> list[MailOutcome]:
    """Process stored mails, BATCH_SIZE per transaction; the outcome of each one processed
    here (a mail another worker holds, or already processed, has none)."""
    outcomes: list[MailOutcome] = []
    for start in range(0, len(mail_ids), BATCH_SIZE):
        outcomes += _process_batch(list(mail_ids[start : start + BATCH_SIZE]), take_over)
    return outcomes


def _process_batch(mail_ids: list[int], take_over: bool) -> list[MailOutcome]:
    moment = now()
    with transaction.atomic():
        rows = claimable(
            InboundMail.objects.filter(pk__in=mail_ids), moment=moment, take_over=take_over
        )
        # Taking over waits for a processor that holds a row; the sweep passes it by.
        locked = rows.select_for_update(skip_locked=not take_over)
        claimed_ids = sorted(locked.values_list("pk", flat=True))
        InboundMail.objects.filter(pk__in=claimed_ids).update(
            processing_attempts=F("processing_attempts") + 1, claimed_until=moment + CLAIM_LEASE
        )
    if not claimed_ids:
        return []
    stored = InboundMail.objects.only("processing_attempts", "raw", "raw_file").in_bulk(claimed_ids)
    claims = []
    for mail_id in claimed_ids:
        claim = _Claimed(mail_id)
        claims.append(claim)
        if stored[mail_id].processing_attempts > MAX_ATTEMPTS:
            claim.quarantine = (
                f"gave up: {MAX_ATTEMPTS} attempts to process this mail did not finish "
                "(the processor crashed or was stopped)"
            )
            continue
        with log_context(mail_id=mail_id):
            claim.parsed, claim.quarantine = _parse(stored[mail_id])
        del stored[mail_id]  # the raw bytes are not needed again
    return _route_batch(claims)


def _parse(stored: InboundMail) -> tuple[ParsedMail | None, str]:
    deadline = time.monotonic() + settings.MAILGATE_PROCESSING_SECONDS
    raw = stored.raw_message()
    faults.point(faults.MID_PARSE)
    try:
        return parse_mail(raw, deadline=deadline), ""
    except MalformedMailError as error:
        logger.warning("Inbound mail %s quarantined: %s", stored.pk, error)
        return None, f"{type(error).__name__}: {error}"


class _MailFailed(Exception):
    """A mail of a batch routed together failed: the attempt is rolled back."""


def _route_batch(claims: list[_Claimed]) -> list[MailOutcome]:
    try:
        outcomes = _route_together(claims)
    except _MailFailed as failed:
        logger.info("Inbound mail batch: %s; routing it one mail at a time", failed)
        outcomes = _route_each(claims)
    faults.point(faults.AFTER_COMMIT)
    return outcomes


def _lock(claims: list[_Claimed]) -> tuple[dict[int, InboundMail], list[ParsedMail], Senders]:
    mails = (
        InboundMail.objects.select_for_update()
        .defer("raw")
        .in_bulk([claim.mail_id for claim in claims])
    )
    parsed = [claim.parsed for claim in claims if claim.parsed]
    senders = Senders([p.from_address for p in parsed])
    senders.find_devices(
        (p.from_address, f"{p.subject}\n{p.text}") for p in parsed if not p.machine_reason
    )
    return mails, parsed, senders


def _route_together(claims: list[_Claimed]) -> list[MailOutcome]:
    """The batch without a savepoint per mail (two round trips each): the first mail that
    fails raises _MailFailed, and its attempt is rolled back whole."""
    outcomes, routed = [], []
    with transaction.atomic(), batch_scope():
        mails, parsed, senders = _lock(claims)
        people = [p for p in parsed if not p.machine_reason]
        tickets = ReplyTickets(p.tracking_number for p in people if p.tracking_number)
        expect_automatic_mail(p.from_address for p in people)
        reserve_tracking_numbers(
            sum(
                not p.tracking_number and senders.sender(p.from_address)[0] is not None
                for p in people
            )
        )
        for claim in claims:
            mail = mails[claim.mail_id]
            if mail.state == InboundMail.State.PROCESSED:
                continue
            if claim.parsed is None:
                outcomes.append(quarantine_locked(mail, claim.quarantine))
                continue
            try:
                with log_context(mail_id=mail.pk):
                    outcome = route(mail, claim.parsed, senders=senders, tickets=tickets)
            except faults.InjectedFault:
                raise  # a simulated crash: the whole batch rolls back
            except Exception as error:
                raise _MailFailed(f"mail {mail.pk}: {type(error).__name__}") from error
            record_outcome(mail, outcome, limits_applied=claim.parsed.limits_applied, save=False)
            routed.append(mail)
            outcomes.append(_with_limits(outcome, mail, claim.parsed))
        update_rows(routed, RECORDED_FIELDS)
        faults.point(faults.MID_TRANSACTION)
    return outcomes


def _route_each(claims: list[_Claimed]) -> list[MailOutcome]:
    outcomes = []
    with transaction.atomic():
        mails, _parsed, senders = _lock(claims)
        for claim in claims:
            mail = mails[claim.mail_id]
            if mail.state == InboundMail.State.PROCESSED:
                continue
            with log_context(mail_id=mail.pk):
                outcome = _route_one(mail, claim, senders)
            if outcome is not None:
                outcomes.append(outcome)
        faults.point(faults.MID_TRANSACTION)
    return outcomes


def _route_one(mail: InboundMail, claim: _Claimed, senders: Senders) -> MailOutcome | None:
    if claim.parsed is None:
        return quarantine_locked(mail, claim.quarantine)
    parsed = claim.parsed
    try:
        with transaction.atomic():
            outcome = route(mail, parsed, senders=senders)
            record_outcome(mail, outcome, limits_applied=parsed.limits_applied)
    except faults.InjectedFault:
        raise  # a simulated crash: the whole batch rolls back
    except DatabaseError:
        # This mail's savepoint is rolled back; it stays `received` for the sweep. A lost
        # connection fails the next statement and so the whole batch, which then stays too.
        logger.exception("Inbound mail %s: database error, left for the sweep", mail.pk)
        _refresh(mail)
        return None
    except Exception as error:
        logger.exception("Inbound mail %s quarantined", mail.pk)
        _refresh(mail)
        return quarantine_locked(mail, f"{type(error).__name__}: {error}")
    return _with_limits(outcome, mail, parsed)


def _with_limits(outcome: MailOutcome, mail: InboundMail, parsed: ParsedMail) -> MailOutcome:
    # The recorded reason names the limits applied to the mail (record_outcome).
    return replace(outcome, reason=mail.reason) if parsed.limits_applied else outcome


def _refresh(mail: InboundMail) -> None:
    # What routing set on the instance was rolled back with its savepoint.
    mail.refresh_from_db(fields=["ticket", "ticket_message", "is_held", "reason", "state"])


def process_pending_inbound(*, older_than: timedelta = PENDING_GRACE, limit: int = 100) -> int:
    """The sweep: process mail a crash or a lost task left `received`. Returns how many."""
    moment = now()
    pending = claimable(
        InboundMail.objects.filter(received_at__lte=moment - older_than),
        moment=moment,
        take_over=False,
    ).values_list("pk", flat=True)[:limit]
    try:
        return len(process_mail_batch(list(pending), take_over=False))
    except DatabaseError:
        logger.exception("Inbound mail: database error in a batch, will retry")
        return 0
