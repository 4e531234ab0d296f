"""`make bench`: ours side by side with django-helpdesk 2.6.1, the floor and the goals of issue 12.

    BENCH_SIZE=small|default|large make bench

Environment: BENCH_SIZE (small: 10,000 tickets, a few minutes; default: 100,000; large:
1,000,000), BENCH_DATABASE_URL (PostgreSQL; its name must contain "bench"; default
postgres://postgres@127.0.0.1:5432/santacare_bench; the peer gets "<name>_peer"),
BENCH_MAILS (mails per ingest run), BENCH_SECONDS (wrk seconds per page and connection count),
BENCH_ONLY (comma-separated: ingest,http,sla). Prints a table; writes var/bench/<stamp>.json.
"""

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import peer
import psycopg
import table
import web

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
OURS_PYTHON = ROOT / ".venv" / "bin" / "python"
SIZE = os.environ.get("BENCH_SIZE", "small")
TICKETS = {"small": 10_000, "default": 100_000, "large": 1_000_000}
MAILS = int(os.environ.get("BENCH_MAILS", {"small": 200}.get(SIZE, 400)))
SECONDS = int(os.environ.get("BENCH_SECONDS", {"small": 3, "default": 5}.get(SIZE, 10)))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/santacare_bench"
)
PEER_URL = DATABASE_URL.rsplit("/", 1)[0] + "/" + urlparse(DATABASE_URL).path[1:] + "_peer"
SQLITE_DIR = OUT / "sqlite"
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "ingest,http,sla").split(",")))
# Production runs with Redis (huey's queues, the shared cache); so does the bench's PostgreSQL
# side, on a database number of its own that it empties. "none" measures the Redis-less set-up.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def ensure_database(url: str) -> None:
    name = urlparse(url).path[1:]
    if "bench" not in name:
        raise SystemExit(f"Refusing: the bench database's name must contain 'bench' ({name}).")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def redis_reachable(url: str) -> bool:
    if url == "none":
        return False
    address = urlparse(url)
    try:
        with socket.create_connection((address.hostname, address.port or 6379), timeout=2) as sock:
            database = address.path.strip("/") or "0"
            sock.sendall(f"SELECT {database}\r\nFLUSHDB\r\n".encode())
            return sock.recv(64).startswith(b"+OK")
    except OSError:
        return False


def ours_env(database_url: str, var_dir: Path, *, redis_url: str = "") -> dict[str, str]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SANTACARE_VAR_DIR=str(var_dir),
        SANTACARE_INSECURE_DEV_KEY="true",
        DEBUG="false",
        SECURE_COOKIES="false",
        PYTHONPATH=str(ROOT / "src"),
        # The bench measures the API's work, not its per-token throttle (a 429 costs nothing).
        SANTACARE_API_THROTTLE_RATE="1000000/m",
    )
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def ours(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(OURS_PYTHON), str(ROOT / "bench" / "ingest.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise RuntimeError(f"ingest.py {' '.join(args)} failed")
    sys.stdout.write(
        "".join(line + "\n" for line in result.stdout.splitlines() if not line.startswith("{"))
    )
    return (result.stdout.splitlines() or [""])[-1]


def machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    with psycopg.connect(DATABASE_URL) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 1024 / 1024, 1),
        "postgresql": version,
        "python": platform.python_version(),
        "size": SIZE,
        "kernel": platform.release(),
    }


def ingest(pg_env: dict[str, str], sqlite_env: dict[str, str]) -> dict[str, dict]:  # type: ignore[type-arg]
    senders = json.dumps([[f"tech{n % 5}.c{n}@bench{n}.example", "BX"] for n in range(100)])
    runs: dict[str, list[dict]] = {"ours_pg": [], "ours_sqlite": [], "floor": [], "peer": []}  # type: ignore[type-arg]
    floor_env = dict(pg_env, PYTHONPATH=str(ROOT / "bench"))
    stamp = int(time.time()) % 100_000
    for repetition in range(3):  # interleaved: one run of each, three times
        run = stamp * 10 + repetition
        runs["ours_pg"].append(json.loads(ours(pg_env, "run", str(run), str(MAILS))))
        runs["ours_sqlite"].append(json.loads(ours(sqlite_env, "run", str(run), str(MAILS))))
        floor = subprocess.run(
            [str(OURS_PYTHON), str(ROOT / "bench" / "floor.py"), str(run), str(MAILS)],
            env=floor_env,
            capture_output=True,
            text=True,
            check=True,
        )
        runs["floor"].append(json.loads(floor.stdout))
        runs["peer"].append(
            json.loads(peer.peer_driver(PEER_URL, "ingest", str(run), str(MAILS), senders))
        )
        print(
            f"  ingest round {repetition + 1}/3: "
            + ", ".join(
                f"{k} {v[-1]['mails'] / v[-1]['seconds']:.0f} mails/s" for k, v in runs.items()
            ),
            flush=True,
        )
    summary = {}
    for name, values in runs.items():
        summary[name] = {
            "mails_per_s": statistics.median(v["mails"] / v["seconds"] for v in values),
            "cpu_ms_per_mail": statistics.median(1000 * v["cpu"] / v["mails"] for v in values),
            "sql_per_mail": statistics.median(v["queries"] / v["mails"] for v in values),
            "runs": values,
        }
    return summary


def http(pg_env: dict[str, str], sessions: dict[str, str], peer_session: dict) -> dict:  # type: ignore[type-arg]
    wrk_path = web.ensure_wrk()
    ours_server = web.start_gunicorn(
        OURS_PYTHON, "santacare.wsgi:application", web.OURS_PORT, pg_env, ROOT
    )
    peer_server = web.start_gunicorn(
        peer.PEER_PYTHON,
        "django.core.wsgi:get_wsgi_application()",
        web.PEER_PORT,
        peer.peer_env(PEER_URL),
        peer.PEER_DIR,
    )
    try:
        base, peer_base = f"http://127.0.0.1:{web.OURS_PORT}", f"http://127.0.0.1:{web.PEER_PORT}"
        csrf = "benchbenchbenchbenchbenchbench12"  # 32 characters: a CSRF secret as the cookie
        agent = {"Cookie": f"sessionid={sessions['agent']}", "Accept-Language": "fi"}
        customer = {"Cookie": f"sessionid={sessions['customer']}; csrftoken={csrf}"}
        staff = {"Cookie": f"sessionid={peer_session['sessionid']}"}
        anonymous = {"Cookie": f"csrftoken={csrf}"}
        targets = [
            {
                "side": "ours",
                "name": f"desk queue {tab}",
                "url": f"{base}/desk/?queue={tab}",
                "headers": agent,
            }
            for tab in ("new", "unassigned", "mine", "waiting", "at_risk", "all")
        ] + [
            {
                "side": "ours",
                "name": "desk search",
                "url": f"{base}/desk/?queue=all&q=BGP",
                "headers": agent,
            },
            {
                "side": "ours",
                "name": "desk workspace",
                "url": f"{base}/desk/t/{sessions['ticket']}/",
                "headers": agent,
            },
            {
                "side": "ours",
                "name": "portal list",
                "url": f"{base}/portal/tickets/",
                "headers": customer,
            },
            {
                "side": "ours",
                "name": "portal ticket",
                "url": f"{base}/portal/tickets/{sessions['ticket']}/",
                "headers": customer,
            },
            {
                "side": "ours",
                "name": "portal create POST",
                "method": "POST",
                "url": f"{base}/portal/devices/{sessions['device']}/new/",
                "headers": customer,
                "body": f"csrfmiddlewaretoken={csrf}&serial_number={sessions['device']}"
                "&subject=Bench&description=Kytkin+ei+vastaa+bench&priority=P3",
            },
            {
                "side": "ours",
                "name": "API ticket list",
                "url": f"{base}/api/v1/tickets",
                "headers": {"Authorization": f"Bearer {sessions['api_token']}"},
            },
            {
                "side": "peer",
                "name": "peer staff ticket list",
                "url": f"{peer_base}/tickets/",
                "headers": staff,
            },
            {
                "side": "peer",
                "name": "peer public form POST",
                "method": "POST",
                "url": f"{peer_base}/tickets/submit/",
                "headers": anonymous,
                "body": f"csrfmiddlewaretoken={csrf}&queue={peer_session['queue']}&title=Bench"
                "&body=Kytkin+ei+vastaa+bench&priority=3&submitter_email=bench%40asiakas.example",
            },
        ]
        rows = web.run_targets(wrk_path, targets, SECONDS)
        memory = {
            "ours": web.worker_peak_rss_mb(ours_server),
            "peer": web.worker_peak_rss_mb(peer_server),
        }
    finally:
        web.stop_gunicorn(ours_server)
        web.stop_gunicorn(peer_server)
    return {"rows": rows, "peak_rss_mb_per_worker": memory, "seconds_per_point": SECONDS}


def main() -> None:
    if SIZE not in TICKETS:
        raise SystemExit("BENCH_SIZE must be small, default or large")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for url in (DATABASE_URL, PEER_URL):
        ensure_database(url)
    redis_url = REDIS_URL if redis_reachable(REDIS_URL) else ""
    pg_env = ours_env(DATABASE_URL, OUT / "ours", redis_url=redis_url)
    if SQLITE_DIR.exists():
        for file in SQLITE_DIR.glob("*.sqlite3*"):
            file.unlink()
    sqlite_env = ours_env(f"sqlite:///{SQLITE_DIR / 'bench.sqlite3'}", SQLITE_DIR)
    print(f"== SantaCare bench, size {SIZE}: {TICKETS[SIZE]:,} tickets", flush=True)
    print("-- data: ours on PostgreSQL", flush=True)
    ours(pg_env, "prepare", SIZE)
    ours(sqlite_env, "prepare", SIZE)
    print("-- data: django-helpdesk", flush=True)
    peer.ensure_peer()
    peer.peer_driver(PEER_URL, "setup", str(TICKETS[SIZE]))
    report: dict[str, object] = {
        "machine": machine(),
        "mails_per_run": MAILS,
        "ours_postgresql_with_redis": bool(redis_url),
    }
    if "ingest" in ONLY:
        print(f"-- mail ingest: {MAILS} mails a run, 3 interleaved rounds", flush=True)
        report["ingest"] = ingest(pg_env, sqlite_env)
    if "http" in ONLY:
        print(f"-- HTTP: wrk, {SECONDS} s per page and connection count", flush=True)
        sessions = json.loads(ours(pg_env, "sessions"))
        peer_session = json.loads(peer.peer_driver(PEER_URL, "cookie"))
        report["http"] = http(pg_env, sessions, peer_session)
    if "sla" in ONLY:
        print("-- SLA", flush=True)
        report["sla"] = json.loads(ours(pg_env, "sla"))
    report["seconds"] = time.perf_counter() - started
    path = OUT / f"bench-{SIZE}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    table.print_table(report)
    print(f"\nJSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
