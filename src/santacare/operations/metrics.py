"""Prometheus metrics: the web's own requests per process, the desk's work from the database.

Requests and their latency are counted where they happen, in each gunicorn worker: with
PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py), prometheus_client keeps them in files
there that every worker of the node adds up at scrape time. Everything else (mail in by outcome,
mail out, quarantine, SLA notices, outbox age, queue depth, periodic jobs) is read from the
database and the queues at scrape time: any node's `/metrics` gives the same, whole-cluster
figures, and no worker has to stay alive to keep a counter.
"""

import os
from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Max, Min
from huey.contrib.djhuey import HUEY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

from santacare.core.models import PeriodicRun
from santacare.core.time import now
from santacare.mailgate.models import InboundMail
from santacare.mailgate.queue import inbound_mail_huey
from santacare.outbox.models import OutboundMail
from santacare.sla.models import SlaNotice

REQUESTS = Counter(
    "santacare_http_requests",
    "Web requests answered, by view, method and status class.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "santacare_http_request_duration_seconds",
    "Time from the request's arrival to the response, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class DeskCollector(Collector):
    """The desk's state, queried when Prometheus scrapes (a handful of indexed aggregates)."""

    def collect(self) -> Iterator[Metric]:
        inbound = CounterMetricFamily(
            "santacare_inbound_mail", "Inbound mail processed, by outcome.", labels=["outcome"]
        )
        for outcome, count in (
            InboundMail.objects.filter(state=InboundMail.State.PROCESSED)
            .values("outcome")
            .annotate(count=Count("id"))
            .order_by()
            .values_list("outcome", "count")
        ):
            inbound.add_metric([outcome or "none"], count)
        yield inbound

        received = InboundMail.objects.filter(state=InboundMail.State.RECEIVED)
        yield GaugeMetricFamily(
            "santacare_inbound_mail_unprocessed",
            "Inbound mail stored, not yet processed.",
            value=received.count(),
        )
        yield _age_gauge(
            "santacare_inbound_mail_oldest_unprocessed_seconds",
            "Age of the oldest unprocessed inbound mail (0: none).",
            received.aggregate(oldest=Min("received_at"))["oldest"],
        )
        yield GaugeMetricFamily(
            "santacare_quarantine_awaiting_review",
            "Held or quarantined inbound mail no agent has reviewed yet.",
            value=InboundMail.objects.filter(reviewed_at__isnull=True)
            .exclude(is_held=False, is_quarantined=False)
            .count(),
        )

        outbound = CounterMetricFamily(
            "santacare_outbound_mail",
            "Outbound mail by state (sent, failed, ...).",
            labels=["state"],
        )
        for state, count in (
            OutboundMail.objects.values("state")
            .annotate(count=Count("id"))
            .order_by()
            .values_list("state", "count")
        ):
            outbound.add_metric([state], count)
        yield outbound
        queued = OutboundMail.objects.filter(state=OutboundMail.State.QUEUED)
        yield GaugeMetricFamily(
            "santacare_outbox_backlog", "Outbound mail queued, not yet sent.", value=queued.count()
        )
        yield _age_gauge(
            "santacare_outbox_oldest_seconds",
            "Age of the oldest queued outbound mail (0: none).",
            queued.aggregate(oldest=Min("created_at"))["oldest"],
        )

        notices = CounterMetricFamily(
            "santacare_sla_notices", "SLA warnings and breaches notified.", labels=["kind"]
        )
        for kind, count in (
            SlaNotice.objects.values("kind")
            .annotate(count=Count("id"))
            .order_by()
            .values_list("kind", "count")
        ):
            notices.add_metric([kind], count)
        yield notices

        queues = GaugeMetricFamily(
            "santacare_queue_pending", "Tasks waiting in a huey queue.", labels=["queue"]
        )
        queues.add_metric(["main"], HUEY.pending_count())
        queues.add_metric(["inbound_mail"], inbound_mail_huey.pending_count())
        yield queues

        last_run = GaugeMetricFamily(
            "santacare_periodic_job_last_success_timestamp_seconds",
            "When each periodic job last finished without failing (Unix time).",
            labels=["job"],
        )
        for job, last in (
            PeriodicRun.objects.filter(finished_at__isnull=False, failed=False)
            .values("job")
            .annotate(last=Max("finished_at"))
            .order_by()
            .values_list("job", "last")
        ):
            last_run.add_metric([job], last.timestamp())
        yield last_run


def _age_gauge(name: str, documentation: str, oldest: datetime | None) -> GaugeMetricFamily:
    age = (now() - oldest).total_seconds() if oldest is not None else 0.0
    return GaugeMetricFamily(name, documentation, value=age)


def exposition() -> bytes:
    """The text Prometheus scrapes: this node's request metrics (all its workers' in
    multiprocess mode) and the desk's state."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        output = generate_latest(registry)
    else:
        output = generate_latest(REGISTRY)
    desk = CollectorRegistry()
    desk.register(DeskCollector())
    return output + generate_latest(desk)
