"""The demo's stories: a desk in the middle of a working day (issue 13).

Loaded by `santacare demo` after the base data set (`data.py`), only in debug or demo mode, and
once: the stories leave tickets, mail and RMAs that a second run must not repeat, so a run that
finds the last demo mail already received does nothing. Everything is one transaction, so a
failed run leaves nothing half-told. Every step goes through the desk's own writers.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from santacare.core.time import now
from santacare.mailgate.models import InboundMail
from santacare.sla.recompute import recompute_results

from .clock import Timeline
from .extras import access_requests, canned_replies
from .mail import LAST_MESSAGE_ID, mail_for_review
from .people import cast_the_stories
from .rmas import history_stories, rma_stories
from .steps import Desk
from .tickets import queue_stories


@dataclass(frozen=True)
class ActivityLoaded:
    mails: int
    access_requests: int
    results: int


def stories_loaded() -> bool:
    return InboundMail.objects.filter(message_id__contains=LAST_MESSAGE_ID.strip("<>")).exists()


@transaction.atomic
def load_demo_activity(*, reference: datetime | None = None) -> ActivityLoaded | None:
    """Tell the stories relative to `reference` (default: now); None when told before."""
    if stories_loaded():
        return None
    timeline = Timeline(reference or now())
    desk = Desk(cast_the_stories())
    history_stories(desk, timeline)
    rma_stories(desk, timeline)
    tickets = queue_stories(desk, timeline)
    mails = mail_for_review(timeline, answered=tickets["stp"])
    requests = access_requests(timeline)
    canned_replies()
    # The reports read stored results; the minutely sweep would write them too, later.
    results = recompute_results(now=timeline.now)
    return ActivityLoaded(mails=len(mails), access_requests=len(requests), results=results)
