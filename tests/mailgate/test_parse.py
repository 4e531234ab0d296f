"""The parser: subjects, quoted history, robots, urgency, authentication, hostile MIME."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santacare.core.addresses import parse_addresses
from santacare.mailgate.parse import parse_mail
from santacare.mailgate.parsed import MalformedMailError, ParsedMail
from santacare.mailgate.quoting import strip_quoted_text, strip_subject_prefixes
from santacare.tickets.tracking import find_tracking_number, format_tracking_number

NUMBER = format_tracking_number(12345)  # a valid SC-nnnnnC


def mail(headers: str, body: str = "Hei.", content_type: str = "text/plain; charset=utf-8"):
    text = f"{headers.strip()}\nContent-Type: {content_type}\n\n{body}"
    return parse_mail(text.replace("\n", "\r\n").encode("utf-8"))


@pytest.mark.parametrize(
    "subject",
    [
        f"[{NUMBER}] Kytkin ei käynnisty",
        f"VS: [{NUMBER}] Kytkin",
        f"VS: VL: SV: AW: WG: Antw: TR: RE[2]: Re: Fwd: FW: [{NUMBER}] Kytkin",
        f"vs: vast: {NUMBER.lower()} kytkin",
        f"Re (3): Vá: {NUMBER}",
        f"RE：[{NUMBER}]",  # full-width colon
        f"Automaattinen vastaus: {NUMBER.replace('-', ' ')}",
        f"Kytkin ({NUMBER.replace('-', '#')}) ei käynnisty",
    ],
)
def test_r6_tracking_number_found_after_any_prefix_chain(subject):
    assert find_tracking_number(subject) == NUMBER


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("VS: VL: SV: AW: Kytkin", "Kytkin"),
        ("RE[2]: Re: Fwd: FW: Kytkin", "Kytkin"),
        ("Antw: Vast: TR: Kytkin", "Kytkin"),
        ("Vastaus tulossa", "Vastaus tulossa"),
        ("Re: ", ""),
    ],
)
def test_subject_prefixes_are_stripped_for_display(subject, expected):
    assert strip_subject_prefixes(subject) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Uusi teksti.\n\nLähettäjä: SantaCare <support@santacare.example>\n"
            "Lähetetty: tiistai 24. marraskuuta 2026 10.16\nVastaanottaja: Alice\nAihe: x\n\nvanha",
            "Uusi teksti.",
        ),
        (
            "Ny text.\n\nFrån: SantaCare <support@santacare.example>\nSkickat: den 24 november\n"
            "Till: Alice\nÄmne: x\n\ngammal",
            "Ny text.",
        ),
        (
            "New text.\n________________________________\nFrom: SantaCare\nSent: Tuesday\n\nold",
            "New text.",
        ),
        (
            "Uusi.\n\nke 8. tammik. 2025 klo 9.15 Lauri Esimerkki <lauri@example.fi> kirjoitti:\n"
            "> vanha",
            "Uusi.",
        ),
        (
            "Uusi.\n\nke 8. tammik. 2025 klo 9.15 Lauri Esimerkki <lauri@example.fi>\nkirjoitti:\n"
            "> vanha",
            "Uusi.",
        ),
        ("Uusi.\n\nsu, 2025-09-28 kello 11:07 +0000, Nimi kirjoitti:\n> vanha", "Uusi."),
        ("Uusi.\n\nMon, May 06, 2024 at 05:08:29PM +0200, Nimi kirjoitti:\n> old", "Uusi."),
        ("New.\n\nOn Mon, 6 May 2024, Name <n@example.com> wrote:\n> old", "New."),
        ("Uusi.\n\n-----Alkuperäinen viesti-----\nLähettäjä: x\n\nold", "Uusi."),
        ("Uusi.\n\n-----Original Message-----\nFrom: x\n\nold", "Uusi."),
        ("Vain uusi teksti.\n> lainaus\n> toinen", "Vain uusi teksti."),
        ("> koko viesti on lainausta", "> koko viesti on lainausta"),  # nothing left: keep all
    ],
)
def test_quoted_history_is_cut_for_display(text, expected):
    assert strip_quoted_text(text) == expected


def test_r8_urgency_from_headers_and_words():
    assert mail("From: a@b.example\nImportance: high\nSubject: x").urgent
    assert mail("From: a@b.example\nX-Priority: 1 (Highest)\nSubject: x").urgent
    assert mail("From: a@b.example\nPriority: urgent\nSubject: x").urgent
    assert mail("From: a@b.example\nSubject: Verkko alhaalla").urgent
    assert mail("From: a@b.example\nSubject: x", body="Network is down at HQ").urgent
    assert mail("From: a@b.example\nSubject: P1 vika").urgent
    assert not mail("From: a@b.example\nX-Priority: 3\nSubject: Kysymys").urgent
    assert not mail("From: a@b.example\nSubject: P12 laite").urgent


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-replied", "auto_submitted"),
        ("Auto-Submitted: auto-generated", "auto_submitted"),
        ("Precedence: bulk", "precedence"),
        ("Precedence: junk", "precedence"),
        ("List-Id: <list.example>", "mailing_list"),
        ("X-Autoreply: yes", "auto_reply"),
        ("X-Loop: helpdesk@else.example", "loop"),
        ("Return-Path: <>", "null_sender"),
        # Our instance name alone is public; our own loop header carries a token (tests/security).
        ("X-SantaCare-Loop: santacare.example", ""),
        ("Auto-Submitted: no", ""),
        ("X-Auto-Response-Suppress: All", ""),  # a request to us, not a sign of a robot
    ],
)
def test_machine_mail_is_recognised(headers, reason):
    parsed = mail(f"From: a@b.example\nSubject: x\n{headers}")
    assert parsed.machine_reason == reason


def test_mailer_daemon_is_a_bounce():
    assert mail("From: MAILER-DAEMON@mx.example\nSubject: x").machine_reason == "bounce"


def test_x_auto_response_suppress_suppresses_our_reply():
    assert mail("From: a@b.example\nSubject: x\nX-Auto-Response-Suppress: All").suppress_auto_reply


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("mx.santacare.example; dmarc=pass header.from=a.example", "pass"),
        ("mx.santacare.example; spf=fail; dmarc=fail header.from=a.example", "fail"),
        ("mx.santacare.example; spf=pass", "none"),
    ],
)
def test_authentication_results_are_recorded(header, expected):
    parsed = mail(f"Authentication-Results: {header}\nFrom: a@a.example\nSubject: x")
    assert parsed.authentication == expected
    assert parsed.authentication_results.startswith("mx.santacare.example")


def test_no_authentication_results_is_unverified():
    assert mail("From: a@a.example\nSubject: x").authentication == "unverified"


def test_only_our_authserv_id_counts(settings):
    settings.MAILGATE_AUTHSERV_ID = "mx.santacare.example"
    parsed = mail(
        "Authentication-Results: evil.example; dmarc=pass\n"
        "Authentication-Results: mx.santacare.example; dmarc=fail\nFrom: a@a.example\nSubject: x"
    )
    assert parsed.authentication == "fail"


@pytest.mark.parametrize(
    "value",
    [
        "alice@example.org)<bob@example.org>",  # CVE-2023-27043 shape
        "<>",
        "not an address",
        "a@b.example\r\nBcc: c@d.example",
        "",
    ],
)
def test_addresses_are_parsed_strictly(value):
    pairs = parse_addresses(value)
    assert pairs == [] or all("\n" not in address for _name, address in pairs)
    assert ("", "bob@example.org") not in pairs


def test_address_parsing_accepts_normal_forms():
    assert parse_addresses('"Äijä, Öhman" <AIJA@Example.FI>') == [
        ("Äijä, Öhman", "aija@example.fi")
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '"Virtanen, Matti (Esimerkki Oy)"\r\n <Matti@X.fi>',
            [("Virtanen, Matti (Esimerkki Oy)", "matti@x.fi")],
        ),
        ('"Virtanen,\r\n Matti" <matti@x.fi>', [("Virtanen, Matti", "matti@x.fi")]),
        ("Matti Virtanen\n\t<matti@x.fi>", [("Matti Virtanen", "matti@x.fi")]),
        (
            '"Tuki, SantaCare" <support@santacare.example>,\r\n "Muu, Henkilö" <m@x.fi>',
            [("Tuki, SantaCare", "support@santacare.example"), ("Muu, Henkilö", "m@x.fi")],
        ),
        (
            "=?utf-8?q?Virtanen=2C_M=C3=A4tti?=\r\n <matti@x.fi>",
            [("Virtanen, Mätti", "matti@x.fi")],
        ),
    ],
)
def test_r6_folded_address_headers_are_unfolded_before_parsing(value, expected):
    """Outlook folds a long or comma-holding display name onto a second line (RFC 5322 FWS)."""
    assert parse_addresses(value) == expected


def test_r6_a_line_break_without_folding_whitespace_is_still_refused():
    """Unfolding removes only CRLF + WSP: any other line break in an address header is refused."""
    assert parse_addresses("matti@x.fi\r\nBcc: victim@y.fi") == []
    assert parse_addresses('"Matti"\r\n<matti@x.fi>') == []


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('"<>@,;:()\\ \t\r\nab.=?\x00ä[]')), max_size=40))
def test_r6_address_parser_answers_every_header_value(value):
    """A From the parser cannot read means no sender, never a crash that quarantines the mail."""
    pairs = parse_addresses(value)
    assert all("@" in address for _name, address in pairs)


def test_own_header_namespace_is_stripped():
    parsed = mail("From: a@a.example\nSubject: x\nX-SantaCare-Priority: P1")
    assert parsed.machine_reason == ""
    assert not parsed.urgent


def test_html_is_sanitized_and_text_derived():
    parsed = mail(
        "From: a@a.example\nSubject: x",
        body='<p onmouseover="x()">Hei <b>maailma</b></p><script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif"><img src="cid:kuva">'
        '<a href="javascript:alert(1)">x</a>',
        content_type="text/html; charset=utf-8",
    )
    assert "script" not in parsed.html
    assert "onmouseover" not in parsed.html
    assert "tracker.example" not in parsed.html
    assert 'src="cid:kuva"' in parsed.html
    assert "javascript" not in parsed.html
    assert "Hei maailma" in parsed.text


def test_hostile_mime_finishes():
    """Deep nesting, a huge To header, NUL bytes, bare CRs: parsed or refused."""
    nested = "From: a@a.example\nSubject: deep\nContent-Type: multipart/mixed; boundary=b0\n\n"
    for depth in range(60):
        nested += f"--b{depth}\nContent-Type: multipart/mixed; boundary=b{depth + 1}\n\n"
    parsed = parse_mail(nested.replace("\n", "\r\n").encode())
    assert isinstance(parsed, ParsedMail)

    many = ", ".join(f"user{i}@example.com" for i in range(100_000))
    parsed = parse_mail(f"From: a@a.example\r\nTo: {many}\r\nSubject: x\r\n\r\nbody".encode())
    assert len(parsed.to) <= 50

    parsed = parse_mail(b"From: a@a.example\r\nSubject: nul\x00byte\r\n\r\nbo\x00dy\rx")
    assert "\x00" not in parsed.text
    assert "\x00" not in parsed.subject


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_8bit_text_without_a_charset_keeps_its_letters(encoding):
    """What swaks and many scripts send: raw 8-bit bytes and no charset parameter."""
    body = "Kytkin ei käynnisty sähkökatkon jälkeen.\n\nLähettäjä: SantaCare\nAihe: x\n"
    raw = b"From: a@a.example\r\nSubject: x\r\n\r\n" + body.encode(encoding)

    parsed = parse_mail(raw)

    assert parsed.text.startswith("Kytkin ei käynnisty sähkökatkon jälkeen.")
    assert strip_quoted_text(parsed.text) == "Kytkin ei käynnisty sähkökatkon jälkeen."


def test_empty_input_is_malformed():
    with pytest.raises(MalformedMailError):
        parse_mail(b"")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_fuzz_parser_raises_only_malformed_mail_error(raw):
    try:
        parsed = parse_mail(raw)
    except MalformedMailError:
        return
    assert isinstance(parsed, ParsedMail)


_HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Subject",
        "Message-ID",
        "Content-Type",
        "Content-Transfer-Encoding",
        "In-Reply-To",
        "References",
        "Auto-Submitted",
        "Return-Path",
        "Content-Disposition",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_HEADER_NAMES, st.text(max_size=80)), max_size=12),
    st.text(max_size=500),
)
def test_fuzz_parser_with_mail_shaped_input(headers, body):
    raw = "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n" + body
    try:
        parsed = parse_mail(raw.encode("utf-8", errors="surrogateescape"))
    except MalformedMailError:
        return
    assert "\x00" not in parsed.text


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(_HEADER_NAMES, st.text(max_size=60)), max_size=10),
    st.text(max_size=300),
)
def test_fuzz_inbound_path_stores_everything_and_never_raises(headers, body):
    """Nothing lost: whatever arrives is stored raw and ends with a recorded outcome."""
    from santacare.mailgate.inbound import receive_mail
    from santacare.mailgate.models import InboundMail

    raw = ("".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n" + body).encode(
        "utf-8", errors="surrogateescape"
    )
    outcome = receive_mail(raw, source="pipe")
    mail = InboundMail.objects.get(pk=outcome.mail_id)
    assert bytes(mail.raw) == raw
    assert mail.state == InboundMail.State.PROCESSED
    assert outcome.outcome in InboundMail.Outcome.values
