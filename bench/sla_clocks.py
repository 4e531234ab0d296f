"""Benchmark: SLA due-time computation (the calendar walk behind every clock), no database.

    SANTACARE_INSECURE_DEV_KEY=true .venv/bin/python bench/sla_clocks.py --clocks 20000

Times `measure_clock` (due, elapsed and warning instant) for random tickets over two years on
both calendars, with and without pauses, with and without the explanation; prints clocks per
second, by wall clock and by CPU time (the process's own, for a shared machine). The desk's
at-risk list and the sweep do this without explanations (two clocks each per ticket).
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santacare.settings")

import django  # noqa: E402

django.setup()

from datetime import UTC, datetime, timedelta  # noqa: E402

from santacare.calendars.coverage import ALWAYS, OFFICE_HOURS, Calendar  # noqa: E402
from santacare.sla.clocks import measure_clock  # noqa: E402
from santacare.sla.history import History  # noqa: E402

MAX_CLOCKS = 1_000_000
TARGETS = [30, 60, 180, 240, 480, 960, 2400, 4800]


def run(count: int, *, kind: str, paused: bool, explain: bool) -> tuple[float, float]:
    """Seconds (wall, CPU) for `count` clocks; the random inputs are made before the clock runs."""
    rng = random.Random(1)
    calendar = Calendar(kind)
    base = datetime(2025, 1, 1, tzinfo=UTC)
    inputs = []
    for _ in range(count):
        start = base + timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
        now = start + timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
        pauses = []
        if paused:
            a = start + timedelta(minutes=rng.randrange(0, 600))
            pauses.append((a, a + timedelta(minutes=rng.randrange(1, 3000))))
        history = History(pauses, None, [(start, "P2")])
        inputs.append((start, now, history, rng.choice(TARGETS)))
    started, cpu = time.perf_counter(), time.process_time()
    for start, now, history, minutes in inputs:
        measure_clock(
            "restore",
            target_minutes=minutes,
            warning_percent=80,
            calendar=calendar,
            start=start,
            stop=None,
            history=history,
            now=now,
            explain=explain,
        )
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clocks", type=int, default=20_000)
    args = parser.parse_args()
    if not 1 <= args.clocks <= MAX_CLOCKS:
        sys.exit(f"--clocks must be 1..{MAX_CLOCKS}")
    for kind in (OFFICE_HOURS, ALWAYS):
        for paused in (False, True):
            for explain in (True, False):
                seconds, cpu = run(args.clocks, kind=kind, paused=paused, explain=explain)
                print(
                    f"{kind:12} pauses={paused!s:5} explain={explain!s:5} "
                    f"{args.clocks:>8,} clocks {seconds:7.2f} s {cpu:7.2f} s CPU "
                    f"{args.clocks / cpu:9,.0f} clocks/CPU-s"
                )


if __name__ == "__main__":
    main()
