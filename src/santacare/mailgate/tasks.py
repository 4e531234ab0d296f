"""Huey tasks of the mail gateway: each takes an id, loads the row and calls one service.

They run on the inbound mail queue (`queue.py`), never on the main one, so no mail can hold up
sending or the SLA sweeps. The durable state is in InboundMail, not in the queue: the periodic
sweep finishes whatever a lost task or a crash left undone. Sending is the outbox's
(`santacare.outbox.tasks`).
"""

from datetime import timedelta

from django.conf import settings
from huey import crontab

from santacare.core.periodic import once_per_period

from .batch import process_pending_inbound
from .imap import fetch_mailbox
from .inbound import process_claimable_mail
from .queue import inbound_mail_periodic_task, inbound_mail_task


@inbound_mail_task
def process_inbound_mail_task(mail_id: int) -> None:
    process_claimable_mail(mail_id)


@inbound_mail_periodic_task(crontab(minute="*"))
@once_per_period("inbound_mail_sweep", timedelta(minutes=1))
def sweep_inbound_mail() -> None:
    process_pending_inbound()


@inbound_mail_periodic_task(crontab(minute="*"))
@once_per_period("imap_poll", timedelta(minutes=1))
def poll_imap_mailbox() -> None:
    if settings.IMAP_URL:
        fetch_mailbox(settings.IMAP_URL)
