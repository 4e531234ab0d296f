"""Content-Security-Policy violation reports: browsers post what the policy blocked, and each
report becomes one structured warning line; junk gets 400, never a 500, and nothing logged."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/csp-report/"
POLICY = "default-src 'self'; script-src 'self'; report-uri /csp-report/; report-to csp"

# What Chromium posts to `report-uri` for an inline script the policy blocked.
CHROMIUM_REPORT_URI = {
    "csp-report": {
        "document-uri": "https://desk.example/portal/tickets/",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": POLICY,
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "column-number": 5,
        "source-file": "https://desk.example/portal/tickets/",
        "status-code": 200,
        "script-sample": "",
    }
}
# Firefox's: no effective-directive, the violated one only.
FIREFOX_REPORT_URI = {
    "csp-report": {
        "blocked-uri": "https://cdn.elsewhere.example/track.js",
        "column-number": 1,
        "document-uri": "https://desk.example/desk/",
        "line-number": 1,
        "original-policy": POLICY,
        "referrer": "",
        "source-file": "https://desk.example/desk/",
        "violated-directive": "script-src-elem",
    }
}


def reporting_api_entry(directive: str, blocked: str) -> dict[str, object]:
    """One entry of a Reporting API batch, as Chromium sends it to the `report-to` endpoint."""
    return {
        "age": 53531,
        "type": "csp-violation",
        "url": "https://desk.example/portal/",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0",
        "body": {
            "blockedURL": blocked,
            "columnNumber": 39,
            "disposition": "enforce",
            "documentURL": "https://desk.example/portal/",
            "effectiveDirective": directive,
            "lineNumber": 121,
            "originalPolicy": POLICY,
            "referrer": "",
            "sample": "",
            "sourceFile": "https://desk.example/portal/",
            "statusCode": 200,
        },
    }


def post(client: Client, body: object, content_type: str = "application/csp-report"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.generic("POST", URL, data, content_type=content_type)


def logged(caplog) -> list[dict[str, str]]:
    lines = [r.getMessage() for r in caplog.records if r.name == "santacare.csp"]
    assert all(line.startswith("csp violation {") and "\n" not in line for line in lines)
    return [json.loads(line.removeprefix("csp violation ")) for line in lines]


def test_every_page_names_the_report_endpoint(client):
    response = client.get("/", secure=True)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "report-uri /csp-report/" in policy
    assert "report-to csp" in policy
    assert response["Reporting-Endpoints"] == 'csp="https://testserver/csp-report/"'


def test_over_plain_http_only_report_uri_is_named(client):
    """Browsers drop a Reporting API endpoint that is not https, and Chromium then reports
    nowhere; without `report-to` it posts to `report-uri`."""
    response = client.get("/")

    assert response["Content-Security-Policy"].endswith("; report-uri /csp-report/")
    assert "Reporting-Endpoints" not in response


def test_a_chromium_report_is_one_warning_line(client, caplog):
    response = post(client, CHROMIUM_REPORT_URI)

    assert response.status_code == 204
    assert logged(caplog) == [
        {
            "blocked": "inline",
            "column": "5",
            "directive": "script-src-elem",
            "disposition": "enforce",
            "document": "https://desk.example/portal/tickets/",
            "line": "12",
            "source": "https://desk.example/portal/tickets/",
            "status": "200",
        }
    ]
    assert [r.levelname for r in caplog.records if r.name == "santacare.csp"] == ["WARNING"]


def test_a_firefox_report_names_the_violated_directive(client, caplog):
    response = post(client, FIREFOX_REPORT_URI)

    assert response.status_code == 204
    [line] = logged(caplog)
    assert line["directive"] == "script-src-elem"
    assert line["blocked"] == "https://cdn.elsewhere.example/track.js"


def test_a_reporting_api_batch_logs_each_violation_and_skips_other_kinds(client, caplog):
    batch = [
        reporting_api_entry("script-src-elem", "inline"),
        {"type": "deprecation", "age": 1, "url": "https://desk.example/", "body": {"id": "x"}},
        reporting_api_entry("img-src", "https://tracker.example/pixel.gif"),
    ]

    response = post(client, batch, content_type="application/reports+json")

    assert response.status_code == 204
    assert [(line["directive"], line["blocked"]) for line in logged(caplog)] == [
        ("script-src-elem", "inline"),
        ("img-src", "https://tracker.example/pixel.gif"),
    ]


def test_a_forged_line_break_stays_inside_one_line(client, caplog):
    report = {"csp-report": {"violated-directive": "img-src", "blocked-uri": "x\nERROR forged"}}

    post(client, report)

    [line] = logged(caplog)
    assert line["blocked"] == "x ERROR forged"


def test_long_values_and_long_batches_are_capped(client, caplog):
    batch = [reporting_api_entry("img-src", "https://x.example/" + "a" * 1000)] * 25

    response = post(client, batch, content_type="application/reports+json")

    assert response.status_code == 204
    lines = logged(caplog)
    assert len(lines) == 20
    assert all(len(line["blocked"]) <= 300 for line in lines)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not json", "application/csp-report"),
        (b"\xff\xfe\x00junk", "application/csp-report"),
        (b"", "application/csp-report"),
        (b"42", "application/csp-report"),
        (b"null", "application/reports+json"),
        (b'{"csp-report": "inline"}', "application/csp-report"),
        (b'{"csp-report": {}}', "application/csp-report"),
        (b'{"something": {"violated-directive": "img-src"}}', "application/json"),
        (b'[{"type": "csp-violation", "body": "x"}]', "application/reports+json"),
        (b'[{"type": "csp-violation", "body": {"blockedURL": "x"}}]', "application/reports+json"),
        (b"[1, 2, 3]", "application/reports+json"),
        (b'[[{"type": "csp-violation"}]]', "application/reports+json"),
        (json.dumps(CHROMIUM_REPORT_URI).encode(), "text/plain"),
        (json.dumps(CHROMIUM_REPORT_URI).encode(), "application/x-www-form-urlencoded"),
    ],
)
def test_junk_is_400_and_logs_nothing(client, caplog, body, content_type):
    response = post(client, body, content_type=content_type)

    assert response.status_code == 400
    assert logged(caplog) == []


def test_an_oversized_report_is_refused_unread(client, caplog):
    report = {"csp-report": {"violated-directive": "img-src", "blocked-uri": "a" * 70_000}}

    response = post(client, report)

    assert response.status_code == 413
    assert logged(caplog) == []


def test_only_post_is_taken(client):
    assert client.get(URL).status_code == 405


def test_browsers_post_without_a_csrf_token(caplog):
    strict = Client(enforce_csrf_checks=True)

    response = post(strict, CHROMIUM_REPORT_URI)

    assert response.status_code == 204
    assert len(logged(caplog)) == 1


def test_one_address_gets_60_posts_a_minute_counted_in_the_shared_cache(client, caplog):
    answers = [post(client, FIREFOX_REPORT_URI).status_code for _ in range(62)]
    other_address = client.generic(
        "POST",
        URL,
        json.dumps(FIREFOX_REPORT_URI).encode(),
        content_type="application/csp-report",
        REMOTE_ADDR="192.0.2.7",
    )

    assert answers == [204] * 60 + [429] * 2
    assert len(logged(caplog)) == 61
    assert other_address.status_code == 204
