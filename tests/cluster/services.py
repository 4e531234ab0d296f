"""What the hosts share, on the host side of the bridge: PostgreSQL and Redis through socat
forwarders (the machine's servers listen on 127.0.0.1 only and keep their configuration), the
smarthost that takes the desk's outgoing mail (a real aiosmtpd server), and the test's own
database and Redis db."""

import contextlib
import email
import email.policy
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import boto3
import psycopg
import redis
from aiosmtpd.controller import Controller

from .netns import pid_alive

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE_NAME = re.compile(r"^santacare_cluster_(\d+)$")
# huey's queues and the cache's rate-limit counters: the only keys the desk writes to Redis.
OUR_REDIS_KEYS = re.compile(rb"^(huey\.|santacare)")


class Forwarder:
    """socat on the bridge address to a server on 127.0.0.1; `cut()` drops it and its live
    connections (a network partition), `restore()` brings it back."""

    def __init__(self, listen: str, port: int, target_port: int, log: Path) -> None:
        self.listen, self.port, self.target_port, self.log = listen, port, target_port, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    "socat",
                    f"TCP-LISTEN:{self.port},bind={self.listen},fork,reuseaddr",
                    f"TCP:127.0.0.1:{self.target_port}",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def cut(self) -> None:
        if self.process is not None:
            # Its own session: the forked children carrying open connections go with it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    restore = start

    def stop(self) -> None:
        self.cut()


class _SinkHandler:
    def __init__(self, sink: "Smarthost") -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.received[str(message["Message-ID"] or "").strip()] += 1
        return "250 OK"


class Smarthost:
    """The desk's outgoing mail server: counts each Message-ID it was handed."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.controller = Controller(_SinkHandler(self), hostname=host, port=port)
        # aiosmtpd logs every SMTP command at INFO: thousands of lines in a failing test's report.
        logging.getLogger("mail.log").setLevel(logging.WARNING)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.controller.stop()


class ObjectStore:
    """moto's S3 server on the bridge address: the shared storage of attachments and raw mail."""

    ACCESS_KEY = "cluster-access-key"
    SECRET_KEY = "cluster-secret-key"  # moto takes any key
    REGION = "eu-north-1"
    BUCKET = "santacare-cluster"

    def __init__(self, host: str, port: int, log: Path) -> None:
        self.host, self.port, self.log = host, port, log
        self.endpoint_url = f"http://{host}:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    str(Path(sys.executable).with_name("moto_server")),
                    "-H",
                    self.host,
                    "-p",
                    str(self.port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), 1):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"moto_server did not listen on {self.endpoint_url}; see {self.log}")
        self.client().create_bucket(
            Bucket=self.BUCKET, CreateBucketConfiguration={"LocationConstraint": self.REGION}
        )

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=self.SECRET_KEY,
            region_name=self.REGION,
        )

    def keys(self, prefix: str = "") -> set[str]:
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.BUCKET, Prefix=prefix)
        )
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def environment(self) -> dict[str, str]:
        return {
            "SANTACARE_S3_BUCKET": self.BUCKET,
            "SANTACARE_S3_ENDPOINT_URL": self.endpoint_url,
            "SANTACARE_S3_REGION": self.REGION,
            "SANTACARE_S3_ACCESS_KEY_ID": self.ACCESS_KEY,
            "SANTACARE_S3_SECRET_ACCESS_KEY": self.SECRET_KEY,
        }

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None


def drop_leftover_databases() -> list[str]:
    dropped = []
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database")]
        for name in names:
            match = DATABASE_NAME.match(name)
            if match and not pid_alive(int(match[1])):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                dropped.append(name)
    return dropped


def create_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RedisDb:
    """A Redis db number of the test's own: refused if something else keeps keys there."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        self.claimed = False

    OWNER = "santacare-cluster-owner"

    def claim(self) -> None:
        owner = self.client.get(self.OWNER)
        if owner and int(owner) != os.getpid() and pid_alive(int(owner)):
            raise RuntimeError(
                f"Redis db {self.number} is in use by another cluster test (pid {int(owner)}): "
                f"set SANTACARE_CLUSTER_REDIS_DB to another db number to run both"
            )
        foreign = [key for key in self.client.scan_iter(count=500) if not OUR_REDIS_KEYS.match(key)]
        if foreign:
            raise RuntimeError(
                f"Redis db {self.number} holds keys the desk does not write ({foreign[:3]}…): "
                f"another program uses it; set SANTACARE_CLUSTER_REDIS_DB to a free db number"
            )
        self.claimed = True
        self.release()
        self.client.set(self.OWNER, os.getpid())

    def release(self) -> None:
        """Remove the desk's keys, only from a db this run claimed (never another run's)."""
        if not self.claimed:
            return
        keys = list(self.client.scan_iter(count=500))
        if keys:
            self.client.delete(*keys)
