"""`/healthz` says the process lives; `/readyz` says whether the node can work and the work is
getting done, naming what is not (docs/OPERATIONS.md)."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from santacare.core.models import PeriodicRun
from santacare.core.time import now
from santacare.mailgate.models import InboundMail
from santacare.outbox.models import OutboundMail
from santacare.sla.tasks import SLA_SWEEP_JOB

pytestmark = pytest.mark.django_db

CLOSED_PORT_REDIS = "redis://:hunter2-secret@127.0.0.1:1/0"


@pytest.fixture
def swept():
    """The SLA sweep finished a minute ago, as a running worker leaves it."""
    moment = now() - timedelta(minutes=1)
    return PeriodicRun.objects.create(
        job=SLA_SWEEP_JOB, period_start=moment, started_at=moment, finished_at=moment
    )


def test_ready_when_every_check_passes(client, swept, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {
        "database",
        "redis",
        "storage",
        "queue_depth",
        "inbound_mail_oldest_seconds",
        "outbox_backlog",
        "outbox_oldest_seconds",
        "sla_sweep_lag_seconds",
    }
    assert 55 <= body["checks"]["sla_sweep_lag_seconds"]["value"] <= 300
    assert response["Cache-Control"] == "no-store"


def test_a_sweep_that_never_ran_is_not_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["sla_sweep_lag_seconds"]


def test_a_stalled_sweep_is_named_with_its_lag(client, swept):
    PeriodicRun.objects.filter(pk=swept.pk).update(finished_at=now() - timedelta(minutes=20))
    body = client.get("/readyz").json()
    assert body["failing"] == ["sla_sweep_lag_seconds"]
    check = body["checks"]["sla_sweep_lag_seconds"]
    assert check["value"] >= 1200
    assert check["limit"] == 300


def test_unprocessed_mail_and_an_old_outbox_are_named(client, swept, inbound_mail):
    inbound_mail(received_at=now() - timedelta(minutes=30))
    inbound_mail(state=InboundMail.State.PROCESSED, outcome="created")
    old = OutboundMail.objects.create(
        to=["a@example.com"], recipient="a@example.com", subject="s", body="b", message_id="<1@x>"
    )
    OutboundMail.objects.filter(pk=old.pk).update(created_at=now() - timedelta(hours=1))
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["inbound_mail_oldest_seconds", "outbox_oldest_seconds"]
    assert body["checks"]["outbox_backlog"] == {"name": "outbox_backlog", "ok": True, "value": 1}


def test_redis_down_is_named_without_its_password(client, swept, settings):
    settings.REDIS_URL = CLOSED_PORT_REDIS
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
    assert response.json()["checks"]["redis"]["error"] == "ConnectionError"
    assert b"hunter2" not in response.content
    assert b"127.0.0.1" not in response.content


def test_readiness_costs_a_fixed_number_of_queries(
    client, swept, inbound_mail, django_assert_max_num_queries
):
    for _ in range(20):
        inbound_mail()
    with django_assert_max_num_queries(6):
        client.get("/readyz")


def test_a_database_outage_is_a_clear_503_naming_the_database(tmp_path):
    """As a load balancer sees a node whose database went away: an answer, not a hang or a 500,
    and the checks that need the database are skipped (one connection attempt, not six)."""
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code, r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "santacare.settings",
            "DATABASE_URL": "postgres://postgres:pw-secret@127.0.0.1:9/gone?connect_timeout=2",
            "SANTACARE_VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "CRITICAL",
        },
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.decode().strip().split(" ", 1)
    answer = json.loads(body)
    assert status == "503"
    assert answer["failing"][0] == "database"
    assert answer["checks"]["database"]["error"] == "OperationalError"
    assert answer["checks"]["sla_sweep_lag_seconds"]["error"] == "database unavailable"
    assert "pw-secret" not in body
    assert "127.0.0.1" not in body
