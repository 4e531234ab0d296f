"""HTTP under load: wrk against gunicorn (2 workers) and PostgreSQL on 127.0.0.1, ours and the
peer's, at 1, 4 and 20 connections; p50 and p99 from wrk's own latency histogram (percentiles.lua).

Pages are driven by URL with a logged-in session cookie, so the bench measures whatever the
views do today. Every response other than 2xx/3xx is counted and reported beside the figures.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "bench" / "percentiles.lua"
CONNECTIONS = (1, 4, 20)
OURS_PORT, PEER_PORT = 8611, 8612


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("  installing wrk (apt-get) …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing: install the Debian package `wrk` (apt-get install wrk).")
    return found


def start_gunicorn(python: Path, app: str, port: int, env: dict[str, str], cwd: Path):  # type: ignore[no-untyped-def]
    process = subprocess.Popen(
        [
            str(python),
            "-m",
            "gunicorn",
            app,
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)  # noqa: S310
            return process
        except urllib.error.HTTPError:
            return process  # it answers: a 302 to the login page is an answer
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(process)
    raise RuntimeError(f"gunicorn on port {port} did not start")


def worker_peak_rss_mb(process: subprocess.Popen) -> list[float]:  # type: ignore[type-arg]
    peaks = []
    for child in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(round(int(match[1]) / 1024, 1))
    return peaks


def stop_gunicorn(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def status_of(url: str, headers: dict[str, str], method: str = "GET", body: str = "") -> int:
    request = urllib.request.Request(
        url,
        headers=headers,
        method=method,  # noqa: S310
        data=body.encode() if body else None,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    try:
        return urllib.request.build_opener(NoRedirect).open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


def wrk(
    wrk_path: str,
    url: str,
    connections: int,
    seconds: int,
    headers: dict[str, str],
    method: str = "GET",
    body: str = "",
) -> dict[str, float]:
    command = [
        wrk_path,
        "-t",
        str(min(2, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [url, "--", method, body]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    line = next((x for x in output.stdout.splitlines() if x.startswith("BENCHJSON ")), "")
    if not line:
        raise RuntimeError(f"wrk printed no result for {url}: {output.stderr[-500:]}")
    result = json.loads(line.removeprefix("BENCHJSON "))
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "requests": result["requests"],
        "bad": result["non2xx"] + result["socket_errors"],
    }


def drain(url: str, headers: dict[str, str]) -> None:
    # A page that times out has drained the queue all the same.
    with contextlib.suppress(OSError):
        status_of(url.split("?", 1)[0], headers)


def run_targets(wrk_path: str, targets: list[dict], seconds: int) -> list[dict]:  # type: ignore[type-arg]
    """Interleaved: each connection count over every target, ours and the peer's in turn."""
    results = []
    for target in targets:
        target["first_status"] = status_of(
            target["url"], target["headers"], target.get("method", "GET"), target.get("body", "")
        )
    for connections in CONNECTIONS:
        for target in targets:
            figures = wrk(
                wrk_path,
                target["url"],
                connections,
                seconds,
                target["headers"],
                target.get("method", "GET"),
                target.get("body", ""),
            )
            # wrk stops at its deadline, but the requests still queued on the listening socket
            # are answered all the same: at 20 connections that is seconds of work that would
            # land on the next page's figures. One more request waits its turn behind them.
            drain(target["url"], target["headers"])
            row = {
                "name": target["name"],
                "side": target["side"],
                "connections": connections,
                "status": target["first_status"],
                **figures,
            }
            print(
                f"  {target['side']:5} {target['name']:34} c={connections:<3} "
                f"{figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:8.1f} ms  "
                f"p99 {figures['p99_ms']:8.1f} ms  bad {figures['bad']}",
                flush=True,
            )
            results.append(row)
    return results
