"""The desk as an operator would run it on four hosts: two web nodes (gunicorn with two workers,
and the SMTP listener, each node its own MX), two worker hosts (`run_huey` and `mail_worker`).

Every node has its own var directory, so nothing is shared through a local disk: only through
PostgreSQL, Redis and the object store (moto's S3 server) on the bridge: raw mail the SMTP
listener of a web node stored is read by a worker on another host."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .netns import Host, Network
from .services import (
    Forwarder,
    ObjectStore,
    RedisDb,
    Smarthost,
    create_database,
    drop_database,
)

BIN = Path(sys.executable).parent
WEB_PORT = 8000
SMTP_PORT = 2525
SMARTHOST_PORT = 2500
OBJECT_STORE_PORT = 9000
GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
PASSWORD = "cluster-Load-Test-2026"  # noqa: S105 - the test's own throwaway database
SETTLE_SECONDS = 90


class Cluster:
    def __init__(self, workdir: Path, *, redis_db: int) -> None:
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.network = Network()
        self.database = f"santacare_cluster_{self.network.pid}"
        self.redis = RedisDb(redis_db)
        self.forwarders: list[Forwarder] = []
        self.smarthost: Smarthost | None = None
        self.object_store: ObjectStore | None = None
        self.api_key = ""
        self.web: list[Host] = []
        self.workers: list[Host] = []
        # Consumer starts seen in each log so far: a restart is one more.
        self._starts: dict[Path, int] = {}

    # --- set-up -------------------------------------------------------------------------------
    def up(self) -> None:
        self.redis.claim()
        create_database(self.database)
        self.network.up()
        gateway = self.network.gateway
        self.postgres = Forwarder(gateway, 5432, 5432, self.logs / "forward-postgres.log")
        self.redis_forwarder = Forwarder(gateway, 6379, 6379, self.logs / "forward-redis.log")
        self.forwarders = [self.postgres, self.redis_forwarder]
        for forwarder in self.forwarders:
            forwarder.start()
        self.smarthost = Smarthost(gateway, SMARTHOST_PORT)
        self.smarthost.start()
        self.object_store = ObjectStore(gateway, OBJECT_STORE_PORT, self.logs / "moto.log")
        self.object_store.start()
        self.web = [self.network.add_host("web1", 11), self.network.add_host("web2", 12)]
        self.workers = [self.network.add_host("worker1", 21), self.network.add_host("worker2", 22)]
        self._prepare_database()

    def environment(self, var_dir: Path, *, via_bridge: bool = True) -> dict[str, str]:
        host = self.network.gateway if via_bridge else "127.0.0.1"
        var_dir.mkdir(parents=True, exist_ok=True)
        assert self.object_store is not None
        return self.object_store.environment() | {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.workdir),
            "SECRET_KEY": f"cluster-{self.network.pid}-not-a-production-key-but-long-enough",
            "DEBUG": "false",
            "ALLOWED_HOSTS": ",".join(h.address for h in self.web),
            "SECURE_COOKIES": "false",
            "DATABASE_URL": f"postgres://postgres@{host}:5432/{self.database}",
            "REDIS_URL": f"redis://{host}:6379/{self.redis.number}",
            "EMAIL_URL": f"smtp://{self.network.gateway}:{SMARTHOST_PORT}",
            "SANTACARE_VAR_DIR": str(var_dir),
            "LOG_LEVEL": "INFO",
            # The load's two senders write far more than a customer would in an hour or a day.
            "MAILGATE_NEW_TICKETS_PER_SENDER_PER_HOUR": "100000",
            "MAILGATE_AUTO_REPLY_DAILY_CAP": "100000",
            # Likewise its API clients share a token at a monitoring system's pace, not a person's.
            "SANTACARE_API_THROTTLE_RATE": "100000/m",
            "DEMO_PASSWORD": PASSWORD,
            # The test's client, on the host side of the bridge, reads /metrics as Prometheus would.
            "SANTACARE_METRICS_ALLOW": f"{self.network.gateway}/32",
            "PYTHONUNBUFFERED": "1",
        }

    def santacare(self, *args: str) -> str:
        """An operator's command on the host itself (migrate, demo data, a token)."""
        result = subprocess.run(  # noqa: S603
            [str(BIN / "santacare"), *args],
            env=self.environment(self.workdir / "var-admin", via_bridge=False),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"santacare {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def _prepare_database(self) -> None:
        self.santacare("migrate", "--noinput", "--verbosity", "0")
        self.santacare("demo")
        self.santacare("collectstatic", "--noinput", "--verbosity", "0")
        output = self.santacare("api_token", "tekninen@esimerkki.fi", "--name", "cluster load")
        self.api_key = output.strip().splitlines()[-1].strip()

    def _var_dir(self, host: Host) -> Path:
        var_dir = self.workdir / f"var-{host.name}"
        var_dir.mkdir(exist_ok=True)
        # Static files are collected once at deployment, like on any node of a real installation.
        static = var_dir / "static"
        if not static.exists():
            static.symlink_to(self.workdir / "var-admin" / "static")
        return var_dir

    # --- nodes --------------------------------------------------------------------------------
    def start_web(self, host: Host) -> None:
        env = self.environment(self._var_dir(host))
        # A restarted node starts with empty metrics files, as systemd's RuntimeDirectory gives it.
        metrics_dir = self._var_dir(host) / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir()
        env |= {
            "SANTACARE_GUNICORN_BIND": f"{host.address}:{WEB_PORT}",
            "SANTACARE_GUNICORN_WORKERS": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        }
        # The deployment's own gunicorn settings (docs/OPERATIONS.md), not the test's.
        self.network.start(
            host,
            [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "santacare.wsgi"],
            env=env,
            log=self.logs / f"{host.name}-gunicorn.log",
        )
        self.network.start(
            host,
            [str(BIN / "santacare"), "smtpd", "--host", host.address, "--port", str(SMTP_PORT)],
            env=env,
            log=self.logs / f"{host.name}-smtpd.log",
        )

    def start_worker(self, host: Host) -> None:
        env = self.environment(self._var_dir(host))
        for command in ("run_huey", "mail_worker"):
            self.network.start(
                host,
                [str(BIN / "santacare"), command],
                env=env,
                log=self.logs / f"{host.name}-{command}.log",
            )

    def url(self, host: Host, path: str = "/") -> str:
        return f"http://{host.address}:{WEB_PORT}{path}"

    def wait_web(self, host: Host, timeout: float = SETTLE_SECONDS) -> float:
        """Seconds until its /healthz answers 200 and its SMTP listener takes a connection."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url(host, "/healthz"), timeout=3) as answer:  # noqa: S310
                    if answer.status == 200 and self._smtp_listening(host):
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{host.name} did not become healthy in {timeout} s; see its logs")

    def _smtp_listening(self, host: Host) -> bool:
        try:
            with socket.create_connection((host.address, SMTP_PORT), timeout=3) as connection:
                return connection.recv(3) == b"220"
        except OSError:
            return False

    def wait_worker(self, host: Host, timeout: float = SETTLE_SECONDS) -> float:
        started = time.monotonic()
        deadline = started + timeout
        logs = [self.logs / f"{host.name}-{c}.log" for c in ("run_huey", "mail_worker")]
        while time.monotonic() < deadline:
            if all(self._started_count(log) >= self._starts.get(log, 0) + 1 for log in logs):
                for log in logs:
                    self._starts[log] = self._started_count(log)
                return time.monotonic() - started
            time.sleep(0.3)
        raise RuntimeError(f"{host.name}'s consumers did not start in {timeout} s; see its logs")

    @staticmethod
    def _started_count(log: Path) -> int:
        if not log.exists():
            return 0
        return len(re.findall(r"Huey consumer started", log.read_text(errors="replace")))

    # --- tear-down ----------------------------------------------------------------------------
    def close(self) -> None:
        """Everything, in any state: called from a finally."""
        self.network.close()
        for forwarder in self.forwarders:
            forwarder.stop()
        if self.smarthost is not None:
            self.smarthost.stop()
        if self.object_store is not None:
            self.object_store.stop()
        drop_database(self.database)
        self.redis.release()
        shutil.rmtree(self.workdir / "var-admin" / "files", ignore_errors=True)
