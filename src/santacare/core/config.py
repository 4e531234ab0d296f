"""The logic behind the settings that are not one line each: secrets from files, the logging
set-up, object storage. Plain functions of their inputs, no Django import, so settings.py can call
them; settings.py alone reads the environment (the README's table lists every name it reads)."""

import ipaddress
import os
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# The settings that may come from a file named by <NAME>_FILE (systemd's LoadCredential=,
# container secrets) instead of the environment.
SECRET_FILE_VARIABLES = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "IMAP_URL",
    "SENTRY_DSN",
    "SANTACARE_METRICS_TOKEN",
    "SANTACARE_S3_ACCESS_KEY_ID",
    "SANTACARE_S3_SECRET_ACCESS_KEY",
)


def read_secret_files(names: Iterable[str]) -> None:
    """For each NAME with NAME_FILE set, the file's content (less a final newline) becomes NAME:
    systemd's LoadCredential= and container secrets keep secrets out of the environment files."""
    for name in names:
        path = os.environ.get(f"{name}_FILE", "")
        if not path:
            continue
        if os.environ.get(name):
            raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
        try:
            os.environ[name] = Path(path).read_text(encoding="utf-8").removesuffix("\n")
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {error.strerror}") from None


def networks(
    name: str, values: Iterable[str]
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(value, strict=False) for value in values]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None


def logging_config(*, level: str, file: str, log_format: str) -> dict[str, object]:
    """stderr (the journal, under systemd) and, when set, a file the service user can write. The
    file is the only log of `santacare mailgate`, whose stderr belongs to the MTA."""
    if log_format not in ("plain", "json"):
        raise ImproperlyConfigured("SANTACARE_LOG_FORMAT must be plain or json.")
    handlers: dict[str, dict[str, object]] = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": log_format,
            "filters": ["context"],
        },
    }
    if file:
        handlers["file"] = {
            # Watched: logrotate may move the file under a running worker; delay: opened only
            # when there is something to write.
            "class": "logging.handlers.WatchedFileHandler",
            "filename": file,
            "delay": True,
            "formatter": log_format,
            "filters": ["context"],
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s[%(process)d] %(message)s"},
            "json": {"()": "santacare.core.logs.JsonFormatter"},
        },
        "filters": {"context": {"()": "santacare.core.logs.ContextFilter"}},
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        # huey's consumer gives the "huey" logger a stream handler of its own unless it has one,
        # and Django gives "django" one for DEBUG; each also propagated to the root's: every line
        # twice. Both get ours, and only ours.
        "loggers": {
            name: {"handlers": list(handlers), "level": level, "propagate": False}
            for name in ("huey", "django")
        },
    }


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str,
    access_key: str,
    secret_key: str,
    region: str,
    prefix: str,
) -> dict[str, object]:
    """django-storages' S3 backend for attachments and raw mail: private objects, never
    overwritten, served only through the views that check who asks (no public URLs)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "region_name": region or None,
            "location": prefix,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    """Error reports to Sentry (or a compatible service). Imported here only: without a DSN the
    SDK is never loaded."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        # No personal data (addresses, cookies, bodies) leaves the desk with an error report.
        send_default_pii=False,
    )
