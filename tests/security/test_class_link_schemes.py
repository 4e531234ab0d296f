"""Class: script links hidden from the filter in customer HTML mail (seen in OTRS, where a space
before `javascript:` in an iframe's src got through; in django-helpdesk's Markdown links).

Browsers ignore case, drop tabs and newlines inside a scheme, strip leading spaces and control
characters and decode entities before they look at it; a filter that compares strings sees none
of that. The sanitiser (an allow-list of http, https, mailto and cid) must leave no attribute
that a browser would run, however the scheme is written, and keep the text around it.
"""

import pytest

from santacare.mailgate.html_body import sanitize_html
from santacare.mailgate.parse import parse_mail
from tests.security.fixtures_classes import read_page

SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")

OBFUSCATED = [
    '<a href="javascript:alert(1)">link</a>',
    '<a href=" javascript:alert(1)">link</a>',
    '<iframe src=" javascript:alert(1)"></iframe><p>link</p>',
    '<a href="JaVaScRiPt:alert(1)">link</a>',
    '<a href="jav&#x09;ascript:alert(1)">link</a>',
    '<a href="jav&#x0A;ascript:alert(1)">link</a>',
    '<a href="jav\tascript:alert(1)">link</a>',
    '<a href="&#x01;javascript:alert(1)">link</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">link</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">link</a>',
    '<a href="javascript&colon;alert(1)">link</a>',
    '<a href="java\x00script:alert(1)">link</a>',
    "<a href=javascript:alert(1)>link</a>",
    '<a href="vbscript:msgbox(1)">link</a>',
    '<a href="VBScript:msgbox(1)">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">link</a>',
    '<a href=" data:text/html,<script>alert(1)</script>">link</a>',
    '<img src="javascript:alert(1)"><p>link</p>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">link</button>'
    "</form>",
    '<svg><a xlink:href="javascript:alert(1)"><text>link</text></a></svg><p>link</p>',
    '<math><a href="javascript:alert(1)">x</a></math><p>link</p>',
    '<area href="javascript:alert(1)"><p>link</p>',
    '<base href="javascript:/"><p>link</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><p>link</p>',
    '<object data="javascript:alert(1)"></object><p>link</p>',
    '<embed src="javascript:alert(1)"><p>link</p>',
    '<a href="#" onclick="alert(1)" onmouseover="alert(1)">link</a>',
    '<p style="background:url(javascript:alert(1))">link</p>',
]


def assert_no_script_scheme(html: str) -> None:
    page = read_page(html)
    assert not page.scripts
    assert not page.handlers
    for value in page.attribute_values:
        squeezed = "".join(ch for ch in value if ch > " ").lower()
        assert not any(scheme in squeezed for scheme in SCRIPT_SCHEMES), value


@pytest.mark.parametrize("html", OBFUSCATED)
def test_r4_obfuscated_script_link_never_survives_the_sanitiser(html):
    clean = sanitize_html(html)

    assert_no_script_scheme(clean)
    assert "link" in clean  # the customer's words stay; only the link goes


@pytest.mark.parametrize("html", OBFUSCATED)
def test_r4_obfuscated_script_link_in_a_mail_never_survives_parsing(html):
    """The whole path: the HTML as the body of a mail, 8-bit, through the parser."""
    body = html.encode("utf-8").decode("latin-1")
    raw = (
        "From: alice@alice.example\r\nTo: support@santacare.example\r\nSubject: x\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n<html><body>{body}</body></html>\r\n"
    ).encode("latin-1")

    parsed = parse_mail(raw)

    assert_no_script_scheme(parsed.html)
    assert "link" in parsed.text


def test_r4_ordinary_links_stay_and_open_without_an_opener():
    clean = sanitize_html(
        '<a href="https://cisco.example/bug/CSCvx">bug</a> <a href="mailto:noc@a.example">noc</a>'
    )

    links = [value for value in read_page(clean).attribute_values if ":" in value]
    assert links == ["https://cisco.example/bug/CSCvx", "mailto:noc@a.example"]
    assert 'rel="noopener noreferrer"' in clean
