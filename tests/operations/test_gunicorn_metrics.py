"""Request metrics across gunicorn's workers (PROMETHEUS_MULTIPROC_DIR, deploy/gunicorn.conf.py):
a scrape answered by any one worker counts the requests every worker served."""

import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.mail import free_port
from tests.support.santacare import database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "gunicorn-metrics-token"
REQUESTS = 24


def get(url: str, **headers: str) -> bytes:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read()


def healthz_count(port: int) -> float:
    text = get(f"http://127.0.0.1:{port}/metrics", Authorization=f"Bearer {TOKEN}").decode()
    line = 'santacare_http_requests_total{method="GET",status="2xx",view="healthz"}'
    (sample,) = [row for row in text.splitlines() if row.startswith(line)]
    return float(sample.split()[-1])


def test_a_scrape_counts_the_requests_of_every_worker(tmp_path):
    port = free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "santacare.settings",
        "DATABASE_URL": database_url(),
        "SANTACARE_INSECURE_DEV_KEY": "true",
        "SANTACARE_VAR_DIR": str(tmp_path),
        "SANTACARE_METRICS_TOKEN": TOKEN,
        "SANTACARE_GUNICORN_BIND": f"127.0.0.1:{port}",
        "SANTACARE_GUNICORN_WORKERS": "3",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603
        [str(gunicorn), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "santacare.wsgi"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        before = healthz_count(port)
        sent = 0
        # Sequential requests may all land on one worker (the kernel wakes the last one to
        # wait); concurrent rounds spread them, a bounded number of times.
        for _round in range(5):
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda _n: get(f"http://127.0.0.1:{port}/healthz"), range(REQUESTS)))
            sent += REQUESTS
            if len(list(multiproc.glob("counter_*.db"))) >= 2:
                break
        after = healthz_count(port)
    finally:
        process.terminate()
        process.wait(timeout=40)
    assert after - before == sent
    # More than one worker wrote its own file: the sum above came from several processes.
    assert len(list(multiproc.glob("counter_*.db"))) >= 2
