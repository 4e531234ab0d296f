"""Benchmark: hostile mails, each from store to outcome (crafted-mail denial of service).

    .venv/bin/python bench/crafted_mail.py            # a fresh SQLite under /tmp

Each mail comes from a demo technical contact and names a demo serial, so it would open a
ticket; prints the seconds each took to an outcome, the outcome and the reason. Before the
caps, 80,000 unclosed <div>s took 40 s to sanitise and the 2 MB a mail may carry about 20
minutes; every mail here now reaches its outcome in about a second or less.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santacare.settings")
os.environ.setdefault("SANTACARE_INSECURE_DEV_KEY", "true")
os.environ["SANTACARE_VAR_DIR"] = tempfile.mkdtemp(prefix="sc-crafted-bench-")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from santacare.demo.data import load_demo_data  # noqa: E402
from santacare.mailgate.inbound import receive_mail  # noqa: E402

SENDER = "tekninen@esimerkki.fi"
REQUEST = "Kytkin FOC2233X0AB ei käynnisty."


def mail(number: int, content_type: str, body: str) -> bytes:
    return (
        f"From: {SENDER}\r\nTo: support@santacare.example\r\nSubject: Kytkin {number}\r\n"
        f"Message-ID: <crafted-{number}@esimerkki.fi>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\n\r\n{body}"
    ).encode()


def cases() -> dict[str, tuple[str, str]]:
    html = "text/html; charset=utf-8"
    nested = 'multipart/mixed; boundary="b0"'
    return {
        "20,000 nested <div>": (html, "<div>" * 20_000 + REQUEST + "</div>" * 20_000),
        "399,000 unclosed <div> (2 MB)": (html, "<div>" * 399_000 + REQUEST),
        "one tag, 200,000 attributes": (
            html,
            "<p " + " ".join(f"a{i}=x" for i in range(200_000)) + f">{REQUEST}</p>",
        ),
        "99,000 tags at depth 499 (within caps)": (
            html,
            "<div>" * 499 + "<i>x</i>" * 49_750 + REQUEST,
        ),
        "100,000 MIME parts": (
            'multipart/mixed; boundary="b"',
            "".join(f"--b\r\nContent-Type: text/plain\r\n\r\n{i}\r\n" for i in range(100_000)),
        ),
        "20,000 nested multiparts": (
            nested,
            "".join(
                f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n'
                for i in range(20_000)
            ),
        ),
        "45 MB of one line": ("text/plain; charset=utf-8", REQUEST + "x" * 45_000_000),
        "9 million quoted lines": ("text/plain; charset=utf-8", REQUEST + "\r\n> x" * 9_000_000),
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    load_demo_data(password="bench-only-password")
    for number, (name, (content_type, body)) in enumerate(cases().items()):
        raw = mail(number, content_type, body)
        started = time.perf_counter()
        outcome = receive_mail(raw, source="smtp")
        seconds = time.perf_counter() - started
        print(f"{seconds:7.2f} s  {name:40} {outcome.outcome:12} {outcome.reason[:90]}")


if __name__ == "__main__":
    main()
