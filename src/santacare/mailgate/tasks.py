"""Huey tasks: each takes an id, loads the row and calls one service (STYLE §7.6).

The durable state is in InboundMail and OutboundMail, not in the queue: the periodic sweep
finishes whatever a lost task or a crash left undone.
"""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .inbound import process_pending_inbound, process_stored_mail
from .outbound import send_due_mail, send_outbound_mail


@db_task()
def send_outbound_mail_task(mail_id: int) -> None:
    send_outbound_mail(mail_id)


@db_task()
def process_inbound_mail_task(mail_id: int) -> None:
    process_stored_mail(mail_id)


@db_periodic_task(crontab(minute="*"))
def sweep_mail() -> None:
    process_pending_inbound()
    send_due_mail()


@db_periodic_task(crontab(minute="*"))
def poll_imap_mailbox() -> None:
    if settings.IMAP_URL:
        from .imap import fetch_mailbox

        fetch_mailbox(settings.IMAP_URL)
