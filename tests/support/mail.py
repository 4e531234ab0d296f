"""Real mail servers for the tests: an aiosmtpd sink and a private Dovecot.

`smtp_sink` is a real SMTP server on 127.0.0.1 that keeps what it receives; Django's SMTP
settings point at it for the test and huey runs tasks immediately, so a mail queued in a
committed transaction is at the sink when the commit returns. `dovecot` is a real IMAP server
started once per session from its own configuration, base_dir and pid file in a temporary
directory, in the foreground as our child, and stopped by that child's pid: any other Dovecot
on the machine (the system's, another test run's) is never touched.
"""

import contextlib
import email
import email.policy
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

WAIT_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _SinkHandler:
    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        if self.sink.reply_code:
            return self.sink.reply_code
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.arrived:
            self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.sink.messages.append(message)
            self.sink.arrived.notify_all()
        return "250 OK"


class SmtpSink:
    """What the sink received, and switches to make it fail (421/451/550) or go away."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.reply_code = ""  # e.g. "451 4.3.0 Try again later"; empty means accept
        self.arrived = threading.Condition()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_SinkHandler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = WAIT_SECONDS) -> list[EmailMessage]:
        """Wait (bounded) until `count` messages have arrived; fail the test if they do not."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            assert len(self.messages) >= count, (
                f"expected {count} messages at the SMTP sink, got {len(self.messages)}"
            )
            return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


@contextlib.contextmanager
def huey_immediate() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    from santacare.mailgate.queue import inbound_mail_huey

    hueys = (HUEY, inbound_mail_huey)
    previous = [huey.immediate for huey in hueys]
    for huey in hueys:
        huey.immediate = True
    try:
        yield
    finally:
        for huey, was_immediate in zip(hueys, previous, strict=True):
            huey.immediate = was_immediate


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    with huey_immediate():
        try:
            yield sink
        finally:
            sink.stop()


# --- Dovecot ------------------------------------------------------------------------------------

DOVECOT = "/usr/sbin/dovecot"
IMAP_USER = "support"
IMAP_PASSWORD = "imap-test-password"

DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_location = maildir:{root}/mail/%u
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 0
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
}}
"""


class DovecotServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.config = root / "dovecot.conf"
        self.user = IMAP_USER
        self.password = IMAP_PASSWORD
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX"

    def start(self) -> None:
        import grp
        import os
        import pwd

        for name in ("run", "state", "mail"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        internal_user, internal_group, login_user = user, group, user
        if os.getuid() == 0:
            # Dovecot refuses to run its login and internal processes as root; the Debian
            # package's own unprivileged users serve. Mail itself is read as root (our tmp dir).
            internal_user, internal_group, login_user = "dovecot", "dovecot", "dovenull"
            user, group = "dovecot", "dovecot"
            shutil.chown(self.root / "mail", user, group)
        self.config.write_text(
            DOVECOT_CONF.format(
                root=self.root,
                port=self.port,
                password=self.password,
                user=user,
                group=group,
                internal_user=internal_user,
                internal_group=internal_group,
                login_user=login_user,
            )
        )
        # -F keeps the master in the foreground: the pid we hold is the Dovecot we started.
        # Errors before the log file is open (a bad config) go to stderr, kept beside the log.
        with (self.root / "dovecot.stderr").open("wb") as stderr:
            self.process = subprocess.Popen(  # noqa: S603
                [DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=stderr
            )
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.1)
        self.stop()
        logs = [self.root / "dovecot.stderr", self.root / "dovecot.log"]
        log = "".join(path.read_text(errors="replace") for path in logs if path.exists())
        raise RuntimeError(f"Dovecot did not start on port {self.port}:\n{log}")

    def stop(self) -> None:
        """Stop our master by its pid; it takes its own login and imap children with it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=WAIT_SECONDS)
        self.process = None

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=WAIT_SECONDS)
        client.login(self.user, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            client.append(folder, raw)
        finally:
            client.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        client = self.client()
        try:
            client.select_folder(folder)
            uids = client.search(["NOT", "DELETED"])
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [fetched[uid][b"BODY[]"] for uid in sorted(fetched)]
        finally:
            client.logout()

    def empty(self) -> None:
        client = self.client()
        try:
            for folder in ("INBOX", "Processed"):
                client.select_folder(folder)
                uids = client.search(["ALL"])
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
        finally:
            client.logout()


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    if not Path(DOVECOT).exists() or shutil.which("doveconf") is None:
        pytest.fail("Dovecot is not installed: run scripts/ensure-test-system-packages")
    # Not under pytest's tmp dir: that one is private to us, and when we are root Dovecot reads
    # the mail as its own unprivileged user, who must be able to reach the directory.
    root = Path(tempfile.mkdtemp(prefix="santacare-dovecot-"))
    root.chmod(0o755)
    server = DovecotServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_server) -> DovecotServer:
    """The session's Dovecot with an empty INBOX for this test."""
    dovecot_server.empty()
    return dovecot_server
