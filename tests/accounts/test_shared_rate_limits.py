"""Account attacks: the rate limits count in one cache shared by every process (issue 11, 4).

With a per-process cache each gunicorn worker kept its own counters, so three workers let about
15 wrong passwords through before the lockout instead of 5. Two Django test clients share a
process and cannot show this; these tests start a second Python process on the same database.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WRONG_PASSWORD = "wrong-password"


def database_url_of_this_test() -> str:
    """DATABASE_URL of the database this test runs on, for a second process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def in_another_process(code: str) -> str:
    env = os.environ | {
        "DATABASE_URL": database_url_of_this_test(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_account_attacks_cache_counters_are_shared_between_processes():
    cache.set("written-here", 1)

    seen = in_another_process(
        """
        from django.core.cache import cache
        print(cache.get("written-here"))
        cache.set("written-there", 2)
        """
    )

    assert seen.strip() == "1"
    assert cache.get("written-there") == 2


def test_account_attacks_login_lockout_counts_wrong_passwords_from_every_process(client):
    """allauth locks an address after 5 wrong passwords: 3 in one process and 2 in another
    are 5, and then even the right password is refused."""
    user = UserFactory(email="kohde@alice.example")

    in_another_process(
        f"""
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        client = Client()
        for _ in range(3):
            client.post("/accounts/login/", {{"login": "{user.email}", "password": "wrong"}})
        """
    )
    for _ in range(2):
        client.post("/accounts/login/", {"login": user.email, "password": WRONG_PASSWORD})
    right = client.post(
        "/accounts/login/",
        {"login": user.email, "password": "test-password-123"},
        headers={"accept-language": "en"},
    )

    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session
