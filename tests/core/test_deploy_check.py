"""`santacare check --deploy` is clean with production settings, and production refuses to start
without a secret key."""

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"

# Exactly the variables the README's "Production:" sentence names, with realistic values.
PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-secret-key-of-fifty-or-more-characters-0123456789abcdef",
    "ALLOWED_HOSTS": "desk.santacare.example",
    "DATABASE_URL": "postgres://santacare:secret@db.santacare.example:5432/santacare",
    "REDIS_URL": "redis://redis.santacare.example:6379/0",
    "EMAIL_URL": "smtp+tls://desk:secret@smtp.santacare.example:587",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "true",
}


def readme_production_variables() -> set[str]:
    sentence = re.search(r"^Production: set (.+?), then", README.read_text(), re.M | re.S)
    assert sentence, "README has no 'Production: set ..., then' sentence"
    return set(re.findall(r"`([A-Z_]+)(?:=[^`]*)?`", sentence[1]))


def run_santacare(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what a production start would have: the test run's own switches stay behind.
    test_switches = ("SANTACARE_INSECURE_DEV_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in test_switches}
    base["DJANGO_SETTINGS_MODULE"] = "santacare.settings"
    return subprocess.run(
        [sys.executable, "-m", "santacare", *args],
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_test_sets_exactly_the_production_variables_the_readme_lists():
    assert set(PRODUCTION_ENV) == readme_production_variables()


def test_check_deploy_is_clean_with_production_settings():
    result = run_santacare("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    env = PRODUCTION_ENV | {"SECRET_KEY": ""}

    result = run_santacare("check", env=env)

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
