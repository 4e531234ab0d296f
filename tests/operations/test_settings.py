"""Secrets from files (<NAME>_FILE), as systemd's LoadCredential= hands them over
(docs/OPERATIONS.md)."""

import os
import subprocess
import sys

PRINT_KEY = (
    "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "santacare.settings", **env}
    for name in ("SECRET_KEY", "SECRET_KEY_FILE"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, *(args or ("-c", PRINT_KEY))],
        capture_output=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_a_secret_comes_from_the_file_its_file_variable_names(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-file-0123456789-abcdefghijklmnopqrstuvwxyz\n")
    result = run(SECRET_KEY_FILE=str(secret), SANTACARE_INSECURE_DEV_KEY="false")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == "from-a-file-0123456789-abcdefghijklmnopqrstuvwxyz"


def test_an_unreadable_secret_file_or_both_set_is_a_clear_error(tmp_path):
    # As an operator sees it: the santacare command's one line, no traceback.
    missing = run(
        "-m",
        "santacare",
        "check",
        SECRET_KEY_FILE=str(tmp_path / "nope"),
        SANTACARE_INSECURE_DEV_KEY="false",
    )
    assert missing.returncode != 0
    assert b"SECRET_KEY_FILE cannot be read" in missing.stderr
    assert b"Traceback" not in missing.stderr
    (tmp_path / "key").write_text("x")
    both = run("-m", "santacare", "check", SECRET_KEY="y", SECRET_KEY_FILE=str(tmp_path / "key"))
    assert b"Set SECRET_KEY or SECRET_KEY_FILE, not both." in both.stderr


def test_production_serves_hashed_static_files_after_collectstatic(tmp_path):
    environment = {"SANTACARE_VAR_DIR": str(tmp_path), "DEBUG": "false"}
    collected = run("-m", "santacare", "collectstatic", "--noinput", **environment)
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    name = run(
        "-c",
        "import django; django.setup(); from django.templatetags.static import static; "
        "print(static('santacare/site.css'))",
        **environment,
    )
    assert name.returncode == 0, name.stderr
    hashed = name.stdout.decode().strip()
    assert hashed.startswith("/static/santacare/site.")
    assert hashed != "/static/santacare/site.css"
    assert (tmp_path / "static" / hashed.removeprefix("/static/")).exists()
