"""Run the consumer of the inbound mail queue: processing of stored mail, its sweep, the IMAP
poll. `santacare run_huey` runs everything else (sending, SLA sweeps, reminders)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from huey.consumer_options import ConsumerConfig

from santacare.mailgate import tasks  # noqa: F401 - registers the tasks on the queue
from santacare.mailgate.queue import inbound_mail_huey


class Command(BaseCommand):
    help = __doc__

    def handle(self, **options: Any) -> None:
        config = ConsumerConfig(**settings.HUEY_INBOUND_MAIL.get("consumer", {}))
        config.validate()
        inbound_mail_huey.create_consumer(**config.values).run()
