"""Huey tasks of the mail gateway: each takes an id, loads the row and calls one service.

The durable state is in InboundMail, not in the queue: the periodic sweep finishes whatever a
lost task or a crash left undone. Sending is the outbox's (`santacare.outbox.tasks`).
"""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .imap import fetch_mailbox
from .inbound import process_pending_inbound, process_stored_mail


@db_task()
def process_inbound_mail_task(mail_id: int) -> None:
    process_stored_mail(mail_id)


@db_periodic_task(crontab(minute="*"))
def sweep_inbound_mail() -> None:
    process_pending_inbound()


@db_periodic_task(crontab(minute="*"))
def poll_imap_mailbox() -> None:
    if settings.IMAP_URL:
        fetch_mailbox(settings.IMAP_URL)
