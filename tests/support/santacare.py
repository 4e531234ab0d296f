"""Run the `santacare` command as a subprocess against the test database, as an MTA or an
operator would."""

import os
import subprocess
import sys

from django.db import connection


def database_url() -> str:
    """The pytest-django test database (not the configured one), as DATABASE_URL."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def santacare(*args: str, stdin: bytes = b"", **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SANTACARE_INSECURE_DEV_KEY": "true",
        "HUEY_IMMEDIATE": "false",
        "LOG_LEVEL": "CRITICAL",
        **env,
    }
    if "SANTACARE_FAULT" not in env:
        environment.pop("SANTACARE_FAULT", None)
    # The browser tests set this in the test process; a command run as in production must not
    # inherit it (`check --deploy` rightly refuses it).
    if "DJANGO_ALLOW_ASYNC_UNSAFE" not in env:
        environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-m", "santacare", *args],
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )
