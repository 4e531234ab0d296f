"""A real webhook receiver on 127.0.0.1 (http.server in a thread) that checks every delivery's
signature with the snippet docs/integrations.md gives receivers."""

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from santacare.webhooks.models import WebhookEndpoint

DOCS = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


def documented_verifier() -> Callable[[str, dict[str, str], bytes], bool]:
    """The receiver's check exactly as the docs print it, so the docs cannot drift."""
    text = DOCS.read_text(encoding="utf-8")
    (snippet,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(snippet, str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify_signature"]  # type: ignore[return-value]


@dataclass
class Received:
    headers: dict[str, str]  # names lower-cased
    body: bytes
    verified: bool


@dataclass
class Receiver:
    secret: str = ""
    # The statuses to answer, in turn; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    verify = documented_verifier()
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = dict(self.headers.items())
            verified = verify(state.secret, headers, body)
            lowered = {name.lower(): value for name, value in headers.items()}
            state.received.append(Received(lowered, body, verified))
            status = state.answers.pop(0) if state.answers else 200
            answer = b"boom " * 300 if status >= 500 else b"ok"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/santacare"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def endpoint(db, receiver) -> Callable[..., WebhookEndpoint]:
    def make(*events: str, url: str = "") -> WebhookEndpoint:
        hook = WebhookEndpoint.objects.create(
            name="NOC dashboard", url=url or receiver.url, events=list(events)
        )
        receiver.secret = hook.secret
        return hook

    return make
