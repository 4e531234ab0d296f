"""A real S3-compatible server for the tests: moto in server mode (`moto_server`), started once
per session as our child on a free port of 127.0.0.1 and stopped by its pid. The code under test
talks to it over HTTP with boto3, as it would to any S3 service; nothing is mocked in-process."""

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.mail import free_port

WAIT_SECONDS = 20
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"  # noqa: S105 - moto accepts any key
REGION = "eu-north-1"


@dataclass
class S3Server:
    endpoint_url: str
    process: subprocess.Popen

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def new_bucket(self) -> str:
        name = f"santacare-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        return name

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def storage(self, bucket: str) -> dict[str, object]:
        from santacare.core.config import s3_storage

        return s3_storage(
            bucket=bucket,
            endpoint_url=self.endpoint_url,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            region=REGION,
            prefix="",
        )


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    executable = Path(sys.executable).with_name("moto_server")
    if not executable.exists() and shutil.which("moto_server") is None:
        pytest.fail("moto_server is not installed: make install (moto[server] is a dev dependency)")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            str(executable if executable.exists() else "moto_server"),
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            break
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"moto_server did not start on port {port}")
    try:
        yield S3Server(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def s3_bucket(s3_server, settings) -> str:
    """A fresh bucket on the S3 server, as the desk's default storage for this test."""
    bucket = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage(bucket)}
    settings.MAILGATE_RAW_IN_STORAGE = True
    return bucket
