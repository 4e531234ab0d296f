"""Benchmark: after how many wrong passwords does the login lock, with several gunicorn workers?

    .venv/bin/python bench/login_lockout.py --workers 3 --attempts 40

Starts `gunicorn -w N santacare.wsgi` on 127.0.0.1 over a fresh SQLite under /tmp (or
DATABASE_URL, on a database whose name contains "bench"), creates one user, posts wrong
passwords to allauth's login page, and prints how many attempts got through to the password
check before the first "too many failed attempts" answer and how many were refused in all. The
limit is allauth's `login_failed` (5 per address in 5 minutes): with a cache shared by every
worker the lock comes after 5, with per-process counters after about 5 × workers.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMAIL = "lockout@santacare.example"
THROTTLED = "Too many failed login attempts"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def santacare(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "santacare", *args], env=env, check=True, cwd=ROOT)


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 - our own 127.0.0.1 server
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in 30 s")


def attempt(base: str) -> str:
    """One wrong password from a fresh browser: "." checked, "L" locked out, "4" HTTP 429."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.addheaders = [("Accept-Language", "en")]
    page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
    token = CSRF_RE.search(page)[1]
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "login": EMAIL, "password": "wrong-password"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    try:
        body = opener.open(request, timeout=10).read().decode()
    except urllib.error.HTTPError as error:
        if error.code == 429:
            return "4"
        raise
    return "L" if THROTTLED in body else "."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--attempts", type=int, default=40)
    options = parser.parse_args()

    env = os.environ | {
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DEBUG": "false",
        "SECURE_COOKIES": "false",
        "DJANGO_SETTINGS_MODULE": "santacare.settings",
    }
    if env.get("DATABASE_URL"):
        if "bench" not in env["DATABASE_URL"].rsplit("/", 1)[-1]:
            raise SystemExit("DATABASE_URL must name a database containing 'bench'")
    else:
        env["SANTACARE_VAR_DIR"] = tempfile.mkdtemp(prefix="sc-lockout-bench-")
    santacare("migrate", "--noinput", "--verbosity", "0", env=env)
    santacare(
        "shell",
        "--no-imports",
        "-c",
        "from santacare.accounts.models import User; "
        f"User.objects.filter(email='{EMAIL}').delete(); "
        f"User.objects.create_user('{EMAIL}', 'the-right-password-123')",
        env=env,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-w",
            str(options.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "santacare.wsgi",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_until_up(f"{base}/healthz")
        answers = "".join(attempt(base) for _ in range(options.attempts))
    finally:
        server.terminate()
        server.wait(timeout=30)
    refused = len(answers) - answers.count(".")
    print(
        f"gunicorn -w {options.workers}, {options.attempts} wrong passwords: "
        f"{answers.find('L') if 'L' in answers else len(answers)} checked before the "
        f"first lockout, {answers.count('.')} checked in all, {refused} refused ({answers})"
    )


if __name__ == "__main__":
    main()
