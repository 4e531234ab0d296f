"""`/metrics`: Prometheus text for requests, mail in and out, quarantine, SLA notices and the
outbox, readable only with the metrics token or from an allowed address (docs/OPERATIONS.md)."""

import ipaddress
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from santacare.core.time import now
from santacare.installbase.models import ServiceLevel
from santacare.mailgate.models import InboundMail
from santacare.outbox.models import OutboundMail
from santacare.sla.models import NoticeKind, SlaNotice
from santacare.tickets.models import Ticket
from tests.factories import CustomerFactory, ServiceLevelFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-test-token-0123456789"


@pytest.fixture
def scraper(settings):
    settings.METRICS_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def samples(response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = response.content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_nobody_reads_metrics_without_the_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 403


def test_an_address_on_the_allow_list_reads_them(client, settings):
    settings.METRICS_ALLOW_NETWORKS = [ipaddress.ip_network("10.9.0.0/16")]
    assert client.get("/metrics", REMOTE_ADDR="10.9.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.10.3.4").status_code == 403


def test_mail_in_and_out_quarantine_and_sla_notices_are_counted(client, scraper, inbound_mail):
    for outcome in ("created", "created", "appended"):
        inbound_mail(state=InboundMail.State.PROCESSED, outcome=outcome)
    inbound_mail(state=InboundMail.State.PROCESSED, outcome="quarantined", is_quarantined=True)
    inbound_mail(received_at=now() - timedelta(minutes=3))
    for number, state in enumerate(("sent", "sent", "failed", "queued")):
        OutboundMail.objects.create(
            to=["a@example.com"],
            recipient="a@example.com",
            subject="s",
            body="b",
            message_id=f"<{number}@x>",
            state=state,
        )
    level: ServiceLevel = ServiceLevelFactory()
    ticket = Ticket.objects.create(
        tracking_number="SC-424242",
        customer=CustomerFactory(),
        channel="portal",
        subject="Switch down",
        priority="P2",
        service_level=level,
        service_level_name=level.name,
        received_at=now(),
    )
    SlaNotice.objects.create(ticket=ticket, clock="response", kind=NoticeKind.WARNING, due=now())
    SlaNotice.objects.create(ticket=ticket, clock="resolution", kind=NoticeKind.BREACH, due=now())

    response = client.get("/metrics", **scraper)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    found = samples(response)
    assert found[("santacare_inbound_mail_total", (("outcome", "created"),))] == 2
    assert found[("santacare_inbound_mail_total", (("outcome", "appended"),))] == 1
    assert found[("santacare_inbound_mail_total", (("outcome", "quarantined"),))] == 1
    assert found[("santacare_inbound_mail_unprocessed", ())] == 1
    assert found[("santacare_inbound_mail_oldest_unprocessed_seconds", ())] >= 180
    assert found[("santacare_quarantine_awaiting_review", ())] == 1
    assert found[("santacare_outbound_mail_total", (("state", "sent"),))] == 2
    assert found[("santacare_outbound_mail_total", (("state", "failed"),))] == 1
    assert found[("santacare_outbox_backlog", ())] == 1
    assert found[("santacare_sla_notices_total", (("kind", "warning"),))] == 1
    assert found[("santacare_sla_notices_total", (("kind", "breach"),))] == 1


def test_requests_are_counted_by_view_not_by_path(client, scraper):
    def count() -> float:
        key = (
            "santacare_http_requests_total",
            (("method", "GET"), ("status", "2xx"), ("view", "healthz")),
        )
        return samples(client.get("/metrics", **scraper)).get(key, 0.0)

    before = count()
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page-12345")
    found = samples(client.get("/metrics", **scraper))
    assert count() == before + 2
    assert not any("no-such-page" in str(labels) for _name, labels in found)
    assert any(
        name == "santacare_http_request_duration_seconds_count" and ("view", "healthz") in labels
        for name, labels in found
    )


def test_a_scrape_costs_a_fixed_number_of_queries(
    client, scraper, inbound_mail, django_assert_max_num_queries
):
    for _ in range(30):
        inbound_mail(state=InboundMail.State.PROCESSED, outcome="created")
    with django_assert_max_num_queries(10):
        client.get("/metrics", **scraper)
