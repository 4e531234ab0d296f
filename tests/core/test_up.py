"""`santacare up` (what `make run` starts) listens where the environment says."""

import os
import signal
import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.support.mail import free_port

START_SECONDS = 60


def up_environment(tmp_path, **addresses: str) -> dict[str, str]:
    environment = {
        **os.environ,
        "SANTACARE_INSECURE_DEV_KEY": "true",
        "SANTACARE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'up.sqlite3'}",
        "DEMO_PASSWORD": "demo-pass-123",
        "LOG_LEVEL": "CRITICAL",
        **addresses,
    }
    environment.pop("EMAIL_URL", None)
    return environment


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def smtp_banner(port: int) -> str | None:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=2) as smtp:
            return smtp.ehlo()[1].decode()
    except OSError:
        return None


def test_up_listens_on_the_addresses_from_the_environment(tmp_path):
    web, smtp, sink = free_port(), free_port(), free_port()
    environment = up_environment(
        tmp_path,
        SANTACARE_WEB_ADDRESS=f"127.0.0.1:{web}",
        SANTACARE_SMTP_ADDRESS=f"127.0.0.1:{smtp}",
        SANTACARE_SINK_ADDRESS=f"127.0.0.1:{sink}",
    )
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "santacare", "up"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if http_status(f"http://127.0.0.1:{web}/admin/login/") and smtp_banner(smtp):
                break
            time.sleep(0.5)
        assert http_status(f"http://127.0.0.1:{web}/admin/login/") is not None
        assert smtp_banner(smtp) is not None
        assert smtp_banner(sink) is not None
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert f"http://127.0.0.1:{web}/" in output
    assert f"smtp://127.0.0.1:{smtp}" in output


def test_up_refuses_an_address_without_a_port(tmp_path):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "santacare", "up"],
        env=up_environment(tmp_path, SANTACARE_WEB_ADDRESS="localhost"),
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "SANTACARE_WEB_ADDRESS must be host:port" in result.stderr.decode()
