"""A real browser reports what the Content-Security-Policy blocked, and the report is logged."""

import json
import time

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 10
INJECT_INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.head.appendChild(script);
}"""


def test_chromium_reports_a_blocked_inline_script_and_it_is_logged(page, caplog):
    page.goto("/")

    page.evaluate(INJECT_INLINE_SCRIPT)

    deadline = time.monotonic() + WAIT_SECONDS
    lines: list[str] = []
    while not lines and time.monotonic() < deadline:
        lines = [r.getMessage() for r in caplog.records if r.name == "santacare.csp"]
        time.sleep(0.1)
    assert page.evaluate("() => window.injected === undefined")
    assert lines, "no CSP report arrived"
    report = json.loads(lines[0].removeprefix("csp violation "))
    assert report["directive"].startswith("script-src")
    assert report["blocked"] == "inline"
    assert report["document"].endswith("/")
