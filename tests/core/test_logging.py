"""Log lines: each once, in every process (the worker printed every line twice)."""

import os
import subprocess
import sys
import time
from pathlib import Path

WAIT_SECONDS = 30


def test_worker_logs_each_line_once(tmp_path: Path):
    stderr_path = tmp_path / "worker.stderr"
    environment = {
        **os.environ,
        "SANTACARE_INSECURE_DEV_KEY": "true",
        "SANTACARE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "LOG_LEVEL": "INFO",
    }
    with stderr_path.open("wb") as stderr:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "santacare", "run_huey", "--workers", "1"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while "commands are available" not in stderr_path.read_text():
            assert worker.poll() is None, stderr_path.read_text()
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=WAIT_SECONDS)

    log = stderr_path.read_text()
    assert log.count("Huey consumer started") == 1, log
    assert log.count("commands are available") == 1, log
