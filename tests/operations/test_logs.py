"""Structured logs with request, ticket and mail ids; error tracking only with a DSN
(docs/OPERATIONS.md)."""

import gzip
import io
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from santacare.core.logs import ContextFilter, JsonFormatter, log_context
from tests.support.mail import free_port

CSP_REPORT = json.dumps(
    {"csp-report": {"document-uri": "https://desk.example/x", "violated-directive": "script-src"}}
)


@pytest.fixture
def json_log():
    """The csp logger's lines as a JSON-format handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("santacare.csp")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_the_proxys_request_id_is_on_the_log_line_and_the_response(client, json_log):
    response = client.post(
        "/csp-report/",
        CSP_REPORT,
        content_type="application/csp-report",
        HTTP_X_REQUEST_ID="nginx-5f2b9c",
    )
    assert response.status_code == 204
    assert response["X-Request-ID"] == "nginx-5f2b9c"
    (event,) = lines(json_log)
    assert event["request_id"] == "nginx-5f2b9c"
    assert event["level"] == "WARNING"
    assert event["logger"] == "santacare.csp"


@pytest.mark.django_db
def test_a_hostile_request_id_is_replaced(client, json_log):
    response = client.post(
        "/csp-report/",
        CSP_REPORT,
        content_type="application/csp-report",
        HTTP_X_REQUEST_ID="x\r\nfake: line" + "A" * 300,
    )
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert request_id.isalnum()
    assert lines(json_log)[0]["request_id"] == request_id


def test_a_multi_line_message_and_its_traceback_stay_one_line():
    record = logging.LogRecord("santacare.x", logging.ERROR, __file__, 1, "a\nb", None, None)
    try:
        raise ValueError("broken\nmail")
    except ValueError:
        record.exc_info = sys.exc_info()
    with log_context(mail_id=42, ticket_id="SC-1"):
        ContextFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    event = json.loads(line)
    assert (event["message"], event["mail_id"], event["ticket_id"]) == ("a\nb", 42, "SC-1")
    assert "ValueError: broken" in event["exception"]


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "santacare.settings", **env}
    environment.pop("SENTRY_DSN", None) if "SENTRY_DSN" not in env else None
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=environment, timeout=60, check=False
    )


def test_santacare_log_format_json_writes_json_lines():
    result = _run_python(
        "import django, logging; django.setup(); "
        "logging.getLogger('santacare.test').warning('first\\nsecond')",
        SANTACARE_LOG_FORMAT="json",
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.decode().splitlines()
    assert json.loads(line)["message"] == "first\nsecond"


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's API
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_an_error_reaches_the_tracker_when_a_dsn_is_set():
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = _run_python(
            "import django, logging, sentry_sdk; django.setup(); "
            "logging.getLogger('santacare.test').error('mail worker broke'); "
            "sentry_sdk.flush(timeout=10)",
            SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/7",
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    paths = [path for path, _body in _Collector.received]
    assert "/api/7/envelope/" in paths, result.stderr
    bodies = [gzip.decompress(body) for _path, body in _Collector.received]
    assert any(b"mail worker broke" in body for body in bodies)


def test_without_a_dsn_the_sdk_is_not_loaded():
    result = _run_python("import django, sys; django.setup(); print('sentry_sdk' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == b"False"
