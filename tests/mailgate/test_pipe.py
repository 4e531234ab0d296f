"""`santacare mailgate` under an MTA: every failure a pipe can see is EX_TEMPFAIL (75, the MTA
keeps the mail and retries) except an oversized message (65, bounced); stderr, which the MTA
stores in its queue and quotes in bounces, is one short line without paths, hosts or a
traceback; the traceback goes to the project's log (R2, R6: an email request is never lost)."""

import os
from pathlib import Path

import pytest

from santacare.core import faults
from santacare.mailgate.models import InboundMail
from santacare.mailgate.store import MAX_RAW_BYTES
from santacare.tickets.models import Ticket
from tests.support.santacare import santacare

pytestmark = pytest.mark.django_db(transaction=True)

NEW_REQUEST = (
    Path(__file__).resolve().parent.parent / "fixtures" / "mail" / "outlook_fi_new_request.eml"
).read_bytes()
CLOSED_PORT_DATABASE = "postgres://postgres@127.0.0.1:9/unreachable?connect_timeout=2"
EX_DATAERR = 65
EX_TEMPFAIL = 75


def mailgate(log_file: Path, *args: str, stdin: bytes = NEW_REQUEST, **env: str):
    # LOG_LEVEL as in production: an INFO or ERROR line must not reach the MTA either.
    return santacare(
        "mailgate", *args, stdin=stdin, LOG_LEVEL="INFO", SANTACARE_LOG_FILE=str(log_file), **env
    )


def assert_one_line_for_the_mta(stderr: bytes, expected: str) -> None:
    assert stderr.decode() == expected + "\n"
    for leak in ("Traceback", "/", "127.0.0.1", "5432", ":9"):
        assert leak not in expected


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "santacare.log"


def test_r6_pipe_database_down_exits_75_one_line_traceback_in_the_log(log_file):
    result = mailgate(log_file, DATABASE_URL=CLOSED_PORT_DATABASE)

    assert result.returncode == EX_TEMPFAIL
    assert_one_line_for_the_mta(
        result.stderr, "temporary failure, will retry: database unavailable (OperationalError)"
    )
    log = log_file.read_text()
    assert "Traceback (most recent call last)" in log
    assert "OperationalError" in log


def test_r6_pipe_configuration_error_exits_75_not_1(log_file):
    result = mailgate(log_file, SANTACARE_INSECURE_DEV_KEY="false", SECRET_KEY="", DEBUG="false")

    assert result.returncode == EX_TEMPFAIL
    assert_one_line_for_the_mta(
        result.stderr, "temporary failure, will retry: configuration error (ImproperlyConfigured)"
    )
    assert "Set SECRET_KEY" in log_file.read_text()


def test_r6_pipe_unreadable_environment_file_exits_75(log_file, tmp_path):
    result = mailgate(log_file, SANTACARE_ENV_FILE=str(tmp_path / "missing.env"))

    assert result.returncode == EX_TEMPFAIL
    assert_one_line_for_the_mta(
        result.stderr, "temporary failure, will retry: configuration error (ImproperlyConfigured)"
    )
    assert "SANTACARE_ENV_FILE cannot be read" in log_file.read_text()


def test_r6_pipe_storage_error_at_start_up_exits_75(log_file):
    result = mailgate(log_file, SANTACARE_VAR_DIR="/dev/null/var")

    assert result.returncode == EX_TEMPFAIL
    assert result.stderr.decode().startswith("temporary failure, will retry: storage or system")
    assert "/dev/null" not in result.stderr.decode()
    assert "Traceback" in log_file.read_text()


@pytest.mark.parametrize(
    "arguments",
    [
        ("--recipient",),  # a recipe whose ${recipient} expanded to nothing
        ("--recipient", "support@santacare.example", "tuki@santacare.example"),  # two, unflagged
        ("--no-such-option",),
    ],
)
def test_r6_pipe_argument_error_from_an_mta_recipe_exits_75_not_2(log_file, arguments):
    result = mailgate(log_file, *arguments)

    assert result.returncode == EX_TEMPFAIL
    assert_one_line_for_the_mta(
        result.stderr, "temporary failure, will retry: bad arguments or start-up (exit 2)"
    )
    assert "mailgate: error:" in log_file.read_text()
    assert InboundMail.objects.count() == 0


def test_r6_pipe_unexpected_exception_exits_75_and_the_retry_processes_once(
    log_file, alice, alice_device
):
    crashed = mailgate(log_file, SANTACARE_FAULT=f"{faults.MID_TRANSACTION}:raise")

    assert crashed.returncode == EX_TEMPFAIL
    assert_one_line_for_the_mta(
        crashed.stderr, "temporary failure, will retry: unexpected error (InjectedFault)"
    )
    assert "InjectedFault: mid_transaction" in log_file.read_text()

    retried = mailgate(log_file)

    assert (retried.returncode, retried.stderr) == (0, b"")
    assert Ticket.objects.count() == 1


def test_r6_pipe_only_an_oversized_message_exits_65(log_file):
    result = mailgate(log_file, stdin=b"X" * (MAX_RAW_BYTES + 1))

    assert result.returncode == EX_DATAERR
    assert_one_line_for_the_mta(result.stderr, "message larger than 50 MB: not accepted")
    assert InboundMail.objects.count() == 0


def test_r6_pipe_success_prints_nothing_on_stderr(log_file, alice, alice_device):
    result = mailgate(log_file, "--sender=alice@alice.example", "--recipient=support@x.example")

    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode().startswith("created SC-")


@pytest.mark.skipif(os.geteuid() != 0, reason="the refusal is about running as root")
def test_command_as_root_with_a_service_user_refuses_plainly_and_creates_nothing(tmp_path):
    var_dir = tmp_path / "var"

    result = santacare(
        "migrate", SANTACARE_SERVICE_USER="santacare", SANTACARE_VAR_DIR=str(var_dir)
    )

    assert result.returncode == 1
    assert result.stderr.decode() == (
        "santacare: Refusing to run as root: the files this creates would not be writable by the "
        "service user. Run it as that user: sudo -u santacare santacare …\n"
    )
    assert not var_dir.exists()
