"""Debian's Postfix in front of `santacare mailgate`, configured from the recipe that
docs/mail.md ships (deploy/postfix/*): what an operator copies is what is tested (R2, R6).

The test Postfix is a private instance: its own config and queue directories in a temporary
directory, SMTP on a free loopback port only, its master started in the foreground as our child
and stopped by that pid. Mail for anyone but the desk (acknowledgements, bounces, postmaster
notices) goes to an SMTP sink on loopback, so nothing leaves the machine and a bounce cannot
hide. The pipe runs as an unprivileged user, as Postfix insists, against the PostgreSQL test
database (SQLite's test file belongs to root and its directory is not the pipe user's).
"""

import contextlib
import json
import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from santacare.mailgate.models import InboundMail
from santacare.mailgate.store import MAX_RAW_BYTES
from santacare.outbox.models import OutboundMail
from santacare.outbox.sending import send_due_mail
from santacare.tickets.models import Attachment, Ticket
from tests.support.mail import SmtpSink, free_port
from tests.support.santacare import database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent.parent
RECIPE = ROOT / "deploy" / "postfix"
FIXTURES = ROOT / "tests" / "fixtures" / "mail"
POSTFIX = "/usr/sbin/postfix"
MASTER = "/usr/lib/postfix/sbin/master"
INSTALL_LINE = (
    "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postfix"
    "   (as root; scripts/ensure-test-system-packages does it)"
)
# Postfix's pipe refuses root; any unprivileged account stands in for the recipe's `santacare`.
PIPE_USER = "nobody"
WAIT_SECONDS = 90
CLOSED_PORT_DATABASE = "postgres://postgres@127.0.0.1:9/unreachable?connect_timeout=2"

# Only what makes the instance private and local; every desk line comes from the recipe.
TEST_MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/spool
data_directory = {root}/data
maillog_file_prefixes = {root}
maillog_file = {root}/postfix.log
myhostname = mx.santacare.test
mydomain = santacare.test
mydestination =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
default_transport = smtp:[127.0.0.1]:{sink_port}
smtp_dns_support_level = disabled
# A deferred mail waits for the test's flush, not for Postfix's own retry.
minimal_backoff_time = 2000s
maximal_backoff_time = 4000s
"""


def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"{' '.join(command)}: {result.stdout}{result.stderr}"
    return result.stdout


def wait_until(condition: Callable[[], bool], what: str, log: Callable[[], str]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{log()}"
        time.sleep(0.2)


class Postfix:
    def __init__(self, root: Path, sink: SmtpSink, santacare: Path) -> None:
        self.root = root
        self.etc = root / "etc"
        self.port = free_port()
        self.sink = sink
        self.env_file = root / "santacare.env"
        self.var_dir = root / "var"
        self.santacare = santacare
        self.process: subprocess.Popen[bytes] | None = None

    def recipe(self, name: str) -> str:
        """A recipe file with the operator's paths and user replaced by this instance's."""
        text = (RECIPE / name).read_text()
        replacements = {
            "/etc/postfix/": f"{self.etc}/",
            "/etc/santacare/santacare.env": str(self.env_file),
            "/srv/santacare/.venv/bin/santacare": str(self.santacare),
            "user=santacare": f"user={PIPE_USER}",
        }
        for old, new in replacements.items():
            text = text.replace(old, new)
        return text

    def configure(self) -> None:
        self.etc.mkdir()
        (self.root / "spool").mkdir()
        (self.root / "data").mkdir()
        shutil.chown(self.root / "data", "postfix")
        main_cf = TEST_MAIN_CF.format(root=self.root, sink_port=self.sink.port)
        (self.etc / "main.cf").write_text(main_cf + self.recipe("main.cf"))
        # Debian's own master.cf, but its daemons not chrooted (a chroot needs copies of /etc)
        # and its SMTP server on our loopback port instead of port 25 on every interface.
        shutil.copy("/etc/postfix/master.cf", self.etc / "master.cf")
        run("postconf", "-c", str(self.etc), "-F", "*/*/chroot = n")
        run("postconf", "-c", str(self.etc), "-MX", "smtp/inet")
        service = f"127.0.0.1:{self.port}"
        run("postconf", "-c", str(self.etc), "-M", f"{service}/inet={service} inet n - n - - smtpd")
        with (self.etc / "master.cf").open("a") as master_cf:
            master_cf.write(self.recipe("master.cf"))
        for name in ("santacare-transport", "santacare-recipients"):
            (self.etc / name).write_text(self.recipe(name))
        # `check` also creates the queue directories; it reports to the log, not to stderr.
        check = subprocess.run([POSTFIX, "-c", str(self.etc), "check"], timeout=60, check=False)  # noqa: S603
        assert check.returncode == 0, self.log()

    def start(self) -> None:
        # -d keeps the master in the foreground: the pid we hold is the Postfix we started.
        self.process = subprocess.Popen(  # noqa: S603
            [MASTER, "-c", str(self.etc), "-d"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def listening() -> bool:
            assert self.process is not None
            assert self.process.poll() is None, self.log()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return True
            return False

        wait_until(listening, "Postfix to listen", self.log)

    def stop(self) -> None:
        """Stop our master by its pid; it stops its own children."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.process = None

    def write_environment(self, database: str, *, readable: bool = True) -> None:
        """The recipe's environment file with this test's values, owned by the pipe user like
        the recipe's root:santacare 0640, or root's own when `readable` is off."""
        values = {
            "DATABASE_URL": database,
            "SECRET_KEY": "test-key-for-the-postfix-pipe-only",
            "SANTACARE_SERVICE_USER": PIPE_USER,
            "SANTACARE_VAR_DIR": str(self.var_dir),
            "SANTACARE_LOG_FILE": str(self.var_dir / "santacare.log"),
            # No Redis here: huey queues in SQLite under the var dir; the sweep would send.
            "REDIS_URL": "",
        }
        lines = []
        for line in (RECIPE / "santacare.env").read_text().splitlines():
            key = line.partition("=")[0]
            if line.strip() and not line.startswith("#"):
                lines.append(f"{key}={values[key]}" if key in values else line)
        assert set(values) <= {line.partition("=")[0] for line in lines}
        self.env_file.write_text("\n".join(lines) + "\n")
        user = pwd.getpwnam(PIPE_USER) if readable else pwd.getpwuid(0)
        os.chown(self.env_file, user.pw_uid, user.pw_gid)
        self.env_file.chmod(0o600)

    def log(self) -> str:
        path = self.root / "postfix.log"
        return path.read_text(errors="replace") if path.exists() else "(no Postfix log)"

    def send(self, sender: str, recipients: list[str], raw: bytes) -> None:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=60) as client:
            client.sendmail(sender, recipients, raw)

    def queue(self) -> list[dict]:
        output = run("postqueue", "-c", str(self.etc), "-j")
        return [json.loads(line) for line in output.splitlines() if line.strip()]

    def flush(self) -> None:
        run("postqueue", "-c", str(self.etc), "-f")

    def wait_until_empty(self) -> None:
        wait_until(lambda: not self.queue(), "Postfix's queue to empty", self.log)

    def wait_until_deferred(self) -> list[str]:
        def deferred() -> bool:
            queue = self.queue()
            return bool(queue) and all(
                entry["queue_name"] == "deferred"
                and all(r.get("delay_reason") for r in entry["recipients"])
                for entry in queue
            )

        wait_until(deferred, "the mail to be deferred", self.log)
        return [r["delay_reason"] for entry in self.queue() for r in entry["recipients"]]

    def bounces(self) -> list[EmailMessage]:
        return [
            message
            for message in self.sink.messages
            if "MAILER-DAEMON" in str(message["From"])
            or message.get_content_type() == "multipart/report"
        ]


def pipe_interpreter() -> Path:
    """An interpreter the pipe user can run: this venv's own may live in root's home."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (Path(sys._base_executable).resolve(), Path("/usr/bin") / version):
        if not candidate.exists():
            continue
        with contextlib.suppress(OSError):
            probe = subprocess.run(  # noqa: S603
                [str(candidate), "-c", ""], user=PIPE_USER, capture_output=True, check=False
            )
            if probe.returncode == 0:
                return candidate
    pytest.fail(f"no {version} that user {PIPE_USER} may run: apt-get install {version}")


def make_pipe_virtualenv(root: Path) -> Path:
    """A virtualenv of that interpreter that sees this checkout's packages; its `santacare`
    stands in for the recipe's /srv/santacare/.venv/bin/santacare."""
    venv = root / "venv"
    run(str(pipe_interpreter()), "-m", "venv", "--without-pip", str(venv))
    site_packages = next(venv.glob("lib/python*/site-packages"))
    ours = sysconfig.get_paths()["purelib"]
    (site_packages / "santacare-checkout.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n"
    )
    script = venv / "bin" / "santacare"
    script.write_text(
        f"#!{venv}/bin/python\nimport sys\nfrom santacare.__main__ import main\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    return script


@pytest.fixture(scope="session")
def postfix_server(django_db_setup) -> Iterator[Postfix]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the Postfix pipe runs as an unprivileged user: it needs the PostgreSQL test "
            "database (DATABASE_URL=postgres://…), not root's SQLite file"
        )
    if not Path(POSTFIX).exists():
        pytest.fail(f"Postfix is not installed: {INSTALL_LINE}")
    if os.geteuid() != 0:
        pytest.fail("Postfix's master starts as root: run the Postfix tests as root")
    root = Path(tempfile.mkdtemp(prefix="santacare-postfix-"))
    root.chmod(0o755)  # the pipe user reaches its virtualenv, environment file and var dir
    sink = SmtpSink()
    sink.start()
    server = Postfix(root, sink, make_pipe_virtualenv(root))
    server.var_dir.mkdir()
    shutil.chown(server.var_dir, PIPE_USER)
    try:
        server.configure()
        server.start()
        yield server
    finally:
        server.stop()
        sink.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postfix(postfix_server: Postfix) -> Iterator[Postfix]:
    """The session's Postfix, its pipe pointed at this test's database; at the end of every
    test nothing is left in the queue and nobody got a bounce."""
    postfix_server.write_environment(database_url())
    postfix_server.sink.messages.clear()
    yield postfix_server
    assert postfix_server.queue() == [], postfix_server.log()
    assert postfix_server.bounces() == []


def new_request(**headers: str) -> bytes:
    raw = (FIXTURES / "outlook_fi_new_request.eml").read_bytes()
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return extra.encode() + raw


DESK = "support@santacare.example"


def test_r6_postfix_new_request_then_vs_reply_threaded(postfix, alice, alice_device, settings):
    postfix.send(alice.email, [DESK], new_request())
    postfix.wait_until_empty()
    ticket = Ticket.objects.get()
    assert InboundMail.objects.get().outcome == "created"
    # The acknowledgement leaves through the same Postfix (what the worker does) to the sink.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", postfix.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    assert send_due_mail() == 1
    [acknowledgement] = postfix.sink.wait_for(1)
    assert f"[{ticket.tracking_number}]" in acknowledgement["Subject"]

    reply = EmailMessage()
    reply["From"], reply["To"] = alice.email, DESK
    reply["Subject"] = f"VS: {acknowledgement['Subject']}"
    reply["Message-ID"] = "<reply-1@alice.example>"
    reply["In-Reply-To"] = acknowledgement["Message-ID"]
    reply.set_content("Kiitos, odotamme vaihtolaitetta.")
    postfix.send(alice.email, [DESK], reply.as_bytes())
    postfix.wait_until_empty()

    assert Ticket.objects.count() == 1
    assert [m.body.strip() for m in ticket.messages.order_by("pk")][1] == (
        "Kiitos, odotamme vaihtolaitetta."
    )


def test_r6_postfix_mail_to_two_desk_addresses_is_one_ticket_no_bounce(
    postfix, alice, alice_device
):
    postfix.send(alice.email, [DESK, "tuki@santacare.example"], new_request())
    postfix.wait_until_empty()

    assert Ticket.objects.count() == 1
    assert sorted(InboundMail.objects.values_list("outcome", flat=True)) == ["created"]
    assert "status=sent" in postfix.log()


def test_r6_postfix_null_sender_autoresponder_gets_no_acknowledgement(postfix, alice, alice_device):
    """RFC 3834: an autoresponder's <> Return-Path reaches the gateway as <>, not
    <MAILER-DAEMON>, so the robot is recognised and never answered."""
    postfix.send("", [DESK], new_request())
    postfix.wait_until_empty()

    mail = InboundMail.objects.get()
    assert mail.outcome == "ignored"
    assert Ticket.objects.count() == 0
    assert OutboundMail.objects.count() == 0


def test_r6_postfix_accepts_a_15_mb_attachment(postfix, alice, alice_device):
    message = EmailMessage()
    message["From"], message["To"] = alice.email, DESK
    message["Subject"] = "Kytkin FOC2233X0AB: lokit liitteenä"
    message["Message-ID"] = "<big-1@alice.example>"
    message.set_content("Kytkin FOC2233X0AB ei käynnisty, lokit liitteenä.")
    log = os.urandom(15 * 1024 * 1024)
    message.add_attachment(log, maintype="application", subtype="gzip", filename="logs.tar.gz")

    postfix.send(alice.email, [DESK], message.as_bytes())
    postfix.wait_until_empty()

    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.size) == ("logs.tar.gz", len(log))


def test_postfix_recipe_size_limit_fits_the_largest_attachment_and_the_gateway():
    """One attachment of SANTACARE_MAX_ATTACHMENT_BYTES, base64 (4/3) in 76-character lines
    (+2 for CRLF), fits; a message the gateway would refuse (65) is refused by Postfix first."""
    limits = dict(
        line.split(" = ") for line in (RECIPE / "main.cf").read_text().splitlines() if " = " in line
    )
    encoded = django_settings.SANTACARE_MAX_ATTACHMENT_BYTES * 4 / 3 * 78 / 76
    assert encoded + 64 * 1024 < int(limits["message_size_limit"]) < MAX_RAW_BYTES - 64 * 1024


def test_r6_postfix_database_down_defers_then_processes_once(postfix, alice, alice_device):
    postfix.write_environment(CLOSED_PORT_DATABASE)

    postfix.send(alice.email, [DESK], new_request())

    [reason] = postfix.wait_until_deferred()
    assert "temporary failure, will retry: database unavailable (OperationalError)" in reason
    for leak in ("Traceback", "127.0.0.1", ":9", "/"):
        assert leak not in reason.partition("temporary failure")[2]
    assert InboundMail.objects.count() == 0

    postfix.write_environment(database_url())
    postfix.flush()
    postfix.wait_until_empty()

    assert Ticket.objects.count() == 1
    assert InboundMail.objects.get().outcome == "created"
    assert OutboundMail.objects.count() == 1  # one acknowledgement


def test_r6_postfix_gateway_start_up_failure_defers_not_bounces(postfix, alice, alice_device):
    """The classic copy mistake: an environment file the service user cannot read."""
    postfix.write_environment(database_url(), readable=False)

    postfix.send(alice.email, [DESK], new_request())

    [reason] = postfix.wait_until_deferred()
    assert "temporary failure, will retry: configuration error (ImproperlyConfigured)" in reason

    postfix.write_environment(database_url())
    postfix.flush()
    postfix.wait_until_empty()

    assert Ticket.objects.count() == 1
    assert InboundMail.objects.count() == 1


def test_postfix_unknown_desk_address_is_refused_at_rcpt_not_bounced(postfix):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        postfix.send("someone@example.org", ["nobody-here@santacare.example"], new_request())

    [(code, _)] = refused.value.recipients.values()
    assert code == 550
