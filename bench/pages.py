"""The bench's pages under one request at a time: CPU, SQL statements and a cProfile, to see
where a page's time goes (wrk measures how long; this shows why).

    DATABASE_URL=postgres://…/santacare_bench python bench/pages.py [PAGE …] [--profile N]

Run after `make bench` has generated the data (bench/generate.py). Each page is asked three
times first (caches and connections warm), then ten times measured; with --profile the
slowest-growing N functions by own time and by cumulative time are printed per page.
"""

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santacare.settings")
os.environ.setdefault("SANTACARE_INSECURE_DEV_KEY", "true")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_COOKIES", "false")

import django  # noqa: E402

django.setup()

import ingest  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

ROUNDS = 10


def pages(s: dict[str, str]) -> dict[str, tuple[str, str, str, dict[str, str]]]:
    """name → (method, path, session, POST data)."""
    found = {
        f"desk queue {tab}": ("GET", f"/desk/?queue={tab}", "agent", {})
        for tab in ("new", "unassigned", "mine", "waiting", "at_risk", "all")
    }
    found.update(
        {
            "desk queue all by customer": ("GET", "/desk/?queue=all&sort=customer", "agent", {}),
            "desk search": ("GET", "/desk/?queue=all&q=BGP", "agent", {}),
            "desk workspace": ("GET", f"/desk/t/{s['ticket']}/", "agent", {}),
            "portal list": ("GET", "/portal/tickets/", "customer", {}),
            "portal ticket": ("GET", f"/portal/tickets/{s['ticket']}/", "customer", {}),
            "portal create POST": (
                "POST",
                f"/portal/devices/{s['device']}/new/",
                "customer",
                {
                    "serial_number": s["device"],
                    "subject": "Bench",
                    "description": "Kytkin ei vastaa bench",
                    "priority": "P3",
                },
            ),
            "API ticket list": ("GET", "/api/v1/tickets", "api", {}),
        }
    )
    return found


def main(wanted: list[str], top: int) -> None:
    s = ingest.sessions()
    clients = {who: Client(SERVER_NAME="127.0.0.1") for who in ("agent", "customer", "api")}
    clients["agent"].cookies["sessionid"] = s["agent"]
    clients["customer"].cookies["sessionid"] = s["customer"]
    api_headers = {"Authorization": f"Bearer {s['api_token']}"}
    queries = 0

    slowest: dict[str, float] = {}

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            slowest[sql] = slowest.get(sql, 0.0) + time.perf_counter() - started

    for name, (method, path, who, data) in pages(s).items():
        if wanted and not any(w in name for w in wanted):
            continue
        client = clients[who]
        headers = api_headers if who == "api" else {}

        def ask(
            client: Client = client,
            method: str = method,
            path: str = path,
            data: dict[str, str] = data,
            headers: dict[str, str] = headers,
        ) -> int:
            if method == "POST":
                return client.post(path, data, headers=headers).status_code
            return client.get(path, headers=headers).status_code

        status = 0
        for _ in range(3):
            status = ask()
        queries = 0
        slowest.clear()
        profiler = cProfile.Profile() if top else None
        cpu, wall = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(count):
            if profiler:
                profiler.enable()
            for _ in range(ROUNDS):
                ask()
            if profiler:
                profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"{name:30} {status}  wall {1000 * wall / ROUNDS:7.1f} ms  "
            f"cpu {1000 * cpu / ROUNDS:7.1f} ms  sql {queries / ROUNDS:5.1f}",
            flush=True,
        )
        for sql, seconds in sorted(slowest.items(), key=lambda item: -item[1])[:3]:
            print(f"    {1000 * seconds / ROUNDS:6.1f} ms  {sql[:300]}")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("tottime").print_stats(top)
            stats.sort_stats("cumulative").print_stats(top)
            print(out.getvalue())


if __name__ == "__main__":
    arguments = sys.argv[1:]
    top = 0
    if "--profile" in arguments:
        index = arguments.index("--profile")
        top = int(arguments[index + 1])
        del arguments[index : index + 2]
    main(arguments, top)
