"""The load: customers in the portal, a monitoring system on the API, mail from two customers.

Every client knows both web nodes and fails over as a reverse proxy would: a connection refused
or reset by one node is retried once on the other (each request here may be repeated: reads,
the login, and mail, which the desk de-duplicates by Message-ID, as an MTA's retry relies on).
Every request ends in exactly one recorded outcome; a timeout is a failure, never a retry.
"""

import http.client
import itertools
import re
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from http.cookies import SimpleCookie
from urllib.parse import urlencode

REQUEST_TIMEOUT = 30
CONNECTION_ERRORS = (
    ConnectionRefusedError,
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)
TRACKING = re.compile(r"SC-\d{6,}")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Outcomes:
    """Each request's end: ok, ok after failing over, a clear error, or failed (with why)."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, channel: str, outcome: str, detail: str = "") -> None:
        with self.lock:
            self.counts[(channel, outcome)] += 1
            self.done += 1
            if outcome == "failed":
                self.failures.append(f"{channel}: {detail}")


class Nodes:
    """The web nodes' addresses, and the fail-over order starting from a preferred one."""

    def __init__(self, addresses: list[str], web_port: int, smtp_port: int) -> None:
        self.addresses, self.web_port, self.smtp_port = addresses, web_port, smtp_port
        self._next = itertools.count()

    def order(self) -> list[str]:
        first = next(self._next) % len(self.addresses)
        return self.addresses[first:] + self.addresses[:first]


class WebClient:
    """One user's HTTP client: its cookies travel to whichever node answers (sessions live in
    the database, so either node knows them)."""

    def __init__(self, nodes: Nodes, outcomes: Outcomes, channel: str) -> None:
        self.nodes, self.outcomes, self.channel = nodes, outcomes, channel
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None, expect: int = 200
    ) -> str | None:
        """The body of the answer, or None when the request did not succeed (recorded why)."""
        body = urlencode(form).encode() if form is not None else None
        errors = []
        for address in self.nodes.order():
            headers = {**self.headers, "Host": address}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["Referer"] = f"http://{address}{path}"
            connection = http.client.HTTPConnection(
                address, self.nodes.web_port, timeout=REQUEST_TIMEOUT
            )
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                text = answer.read().decode("utf-8", "replace")
            except CONNECTION_ERRORS as error:
                errors.append(f"{address}: {type(error).__name__}")
                continue
            except TimeoutError:
                self.outcomes.record(self.channel, "failed", f"{method} {path}: no answer (hung)")
                return None
            finally:
                connection.close()
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return self._judge(method, path, answer.status, text, expect, failed_over=errors)
        self.outcomes.record(self.channel, "failed", f"{method} {path}: every node: {errors}")
        return None

    def _judge(
        self, method: str, path: str, status: int, text: str, expect: int, *, failed_over: list[str]
    ) -> str | None:
        if status == expect and expect < 400:
            self.outcomes.record(self.channel, "ok after fail-over" if failed_over else "ok")
            return text
        if status == expect and text.strip():
            # An error we asked for (an unknown ticket): it must say so, not just close.
            self.outcomes.record(self.channel, "clear error")
            return None
        self.outcomes.record(
            self.channel, "failed", f"{method} {path}: {status} (expected {expect}) {text[:200]!r}"
        )
        return None


def portal_user(nodes: Nodes, outcomes: Outcomes, email: str, password: str, rounds: int) -> None:
    """Logs in once, then lists its tickets and opens them, again and again."""
    client = WebClient(nodes, outcomes, "portal")
    page = client.request("GET", "/accounts/login/")
    token = CSRF_FIELD.search(page or "")
    if token is None:
        outcomes.record("portal", "failed", "login page without a CSRF token")
        return
    form = {"login": email, "password": password, "csrfmiddlewaretoken": token[1]}
    if client.request("POST", "/accounts/login/", form=form, expect=302) is None:
        return
    for number in range(rounds):
        listing = client.request("GET", "/portal/tickets/")
        numbers = sorted(set(TRACKING.findall(listing or "")))
        if numbers:
            client.request("GET", f"/portal/tickets/{numbers[number % len(numbers)]}/")
        else:
            client.request("GET", "/portal/")
        time.sleep(0.05)


def api_user(nodes: Nodes, outcomes: Outcomes, key: str, rounds: int) -> None:
    """A monitoring system: its tickets, one of them, and now and then one that does not exist."""
    client = WebClient(nodes, outcomes, "api")
    client.headers["Authorization"] = f"Bearer {key}"
    for number in range(rounds):
        listing = client.request("GET", "/api/v1/tickets")
        numbers = sorted(set(TRACKING.findall(listing or "")))
        if number % 10 == 9:
            client.request("GET", "/api/v1/tickets/SC-0000000", expect=404)
        elif numbers:
            client.request("GET", f"/api/v1/tickets/{numbers[number % len(numbers)]}")
        time.sleep(0.05)


@dataclass
class MailLog:
    accepted: list[str] = field(default_factory=list)  # Message-IDs answered 250
    retried: int = 0  # deliveries repeated on the other node after a connection error
    lock: threading.Lock = field(default_factory=threading.Lock)


def mail_sender(
    nodes: Nodes,
    outcomes: Outcomes,
    log: MailLog,
    *,
    sender: str,
    serial: str,
    count: int,
    support: str,
    pace: Callable[[float], None],
) -> None:
    """New requests naming a device, and every third mail a reply to one of its own earlier ones;
    `pace(share)` holds each mail back until the web load has done that share of its work, so
    the mail is spread over the whole load (and its faults) however fast the machine is."""
    sent: list[str] = []
    for number in range(count):
        pace(number / count)
        message = EmailMessage()
        message["From"] = sender
        message["To"] = support
        message["Message-ID"] = make_msgid(f"cluster{number}", domain="load.example")
        if number % 3 == 2 and sent:
            message["Subject"] = f"Re: {serial} link flapping"
            message["In-Reply-To"] = sent[-1]
            message["References"] = sent[-1]
            message.set_content(f"More logs from {serial}, round {number}.")
        else:
            message["Subject"] = f"{serial} link flapping, case {number}"
            message.set_content(f"Port Gi1/0/{number} on {serial} goes down every few minutes.")
        if deliver(nodes, outcomes, log, message):
            sent.append(message["Message-ID"])


def deliver(nodes: Nodes, outcomes: Outcomes, log: MailLog, message: EmailMessage) -> bool:
    """One delivery as an MTA makes it: the next MX on a connection error or a 4xx."""
    errors = []
    for address in nodes.order():
        try:
            with smtplib.SMTP(address, nodes.smtp_port, timeout=REQUEST_TIMEOUT) as smtp:
                smtp.send_message(message)
        except (*CONNECTION_ERRORS, smtplib.SMTPResponseException) as error:
            errors.append(f"{address}: {type(error).__name__} {getattr(error, 'smtp_code', '')}")
            with log.lock:
                log.retried += 1
            continue
        except TimeoutError:
            outcomes.record("mail", "failed", f"{message['Message-ID']}: no answer (hung)")
            return False
        with log.lock:
            log.accepted.append(message["Message-ID"])
        outcomes.record("mail", "ok after fail-over" if errors else "ok")
        return True
    outcomes.record("mail", "failed", f"{message['Message-ID']}: every MX: {errors}")
    return False


@dataclass
class Probe:
    """What a health endpoint answered at a moment (monotonic seconds)."""

    at: float
    node: str
    path: str
    status: int  # 0: no connection
    body: str


class HealthPoller(threading.Thread):
    """Polls each node's endpoints twice a second, as a load balancer would, until stopped."""

    def __init__(self, nodes: dict[str, str], port: int, paths: list[str]) -> None:
        super().__init__(daemon=True)
        self.nodes, self.port, self.paths = nodes, port, paths
        self.probes: list[Probe] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            for name, address in self.nodes.items():
                for path in self.paths:
                    self.probes.append(self._probe(name, address, path))

    def _probe(self, name: str, address: str, path: str, limit: int = 8000) -> Probe:
        connection = http.client.HTTPConnection(address, self.port, timeout=5)
        try:
            connection.request("GET", path, headers={"Host": address})
            answer = connection.getresponse()
            return Probe(
                time.monotonic(),
                name,
                path,
                answer.status,
                answer.read(limit).decode("utf-8", "replace"),
            )
        except (OSError, http.client.HTTPException) as error:
            return Probe(time.monotonic(), name, path, 0, type(error).__name__)
        finally:
            connection.close()
