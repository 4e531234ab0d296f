"""Huey tasks of the outbox: each takes an id and calls one service. The durable state is the
OutboundMail row, so the periodic sweep sends whatever a lost task or a crash left behind."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from santacare.core.periodic import once_per_period

from .sending import send_due_mail, send_outbound_mail


@db_task()
def send_outbound_mail_task(mail_id: int) -> None:
    send_outbound_mail(mail_id)


@db_task()
def send_outbound_mails_task(mail_ids: list[int]) -> None:
    """The mail one transaction owed, in one task (a batch of inbound mail's answers)."""
    for mail_id in mail_ids:
        send_outbound_mail(mail_id)


@db_periodic_task(crontab(minute="*"))
@once_per_period("outbox_sweep", timedelta(minutes=1))
def sweep_outbox() -> None:
    send_due_mail()
