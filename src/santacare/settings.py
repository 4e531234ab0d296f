"""Settings, read from the environment (12-factor; see README "Configuration").

Defaults give the embedded set-up of `make run`: SQLite and a SQLite-backed huey under `var/`.
Production sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, EMAIL_URL and DEBUG=false.
"""

import io
import os
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from santacare.core.config import (
    SECRET_FILE_VARIABLES,
    init_sentry,
    logging_config,
    networks,
    read_secret_files,
    s3_storage,
)

# Generic Django classes (ModelAdmin[Ticket]) subscriptable at run time, as the types write them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# An installed desk keeps its environment outside the code (docs/mail.md: the MTA's pipe gets no
# environment of its own); a named file that cannot be read is an error, not an empty config.
ENV_FILE = os.environ.get("SANTACARE_ENV_FILE", "")
if ENV_FILE:
    try:
        environ.Env.read_env(io.StringIO(Path(ENV_FILE).read_text()))
    except OSError as error:
        raise ImproperlyConfigured(f"SANTACARE_ENV_FILE cannot be read: {error.strerror}") from None
elif (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# Secrets may come from files instead (systemd's LoadCredential=, container secrets): <NAME>_FILE
# names a file whose content, less the final newline, is the value.
read_secret_files(SECRET_FILE_VARIABLES)

# A command run as root would leave root-owned files (the SQLite database, the queue, attachments,
# the log) that the service user's processes, the MTA's pipe among them, cannot write later.
SERVICE_USER = env("SANTACARE_SERVICE_USER", default="")
if SERVICE_USER and SERVICE_USER != "root" and os.geteuid() == 0:
    raise ImproperlyConfigured(
        f"Refusing to run as root: the files this creates would not be writable by the service "
        f"user. Run it as that user: sudo -u {SERVICE_USER} santacare …"
    )

VAR_DIR = Path(env("SANTACARE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
DEMO_MODE = env.bool("SANTACARE_DEMO", default=False)
# The one password of every demo user; unset, `santacare demo` generates one (var/).
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")

# Only `make run`, the tests and demo mode may start without a real key: each of them sets
# SANTACARE_INSECURE_DEV_KEY, so a production start with a forgotten key fails loudly.
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if env.bool("SANTACARE_INSECURE_DEV_KEY", default=DEBUG):
        SECRET_KEY = "insecure-development-key-not-for-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for development).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First, so that its templates override allauth's and the admin's (login, password reset).
    "santacare.portal",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "ninja",
    # Our apps, bottom layer first. Each may import only from the layers below it: the
    # import-linter contract in pyproject.toml says so exactly, and CI checks it.
    "santacare.core",
    "santacare.calendars",
    "santacare.outbox",
    "santacare.accounts",
    "santacare.customers",
    "santacare.installbase",
    "santacare.tickets",
    "santacare.sla",
    "santacare.rma",
    "santacare.reports",
    # Integrations the channels use: the phone system's calls and the outgoing webhooks.
    "santacare.telephony",
    "santacare.webhooks",
    # Channels: thin, they call the services of the apps above. (The portal is listed first,
    # for its templates; the desk may use the mail gateway's review screens.)
    "santacare.mailgate",
    "santacare.api",
    "santacare.desk",
    # The embedded demo (data set, `santacare up`): above everything, it touches every app.
    "santacare.demo",
    # Readiness, metrics, backup and restore: they read every app, so they sit beside the demo.
    "santacare.operations",
]

MIDDLEWARE = [
    "santacare.operations.middleware.RequestMetricsMiddleware",
    "santacare.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "santacare.core.middleware.NulInQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "santacare.accounts.mfa.SecondFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "santacare.core.middleware.ContentSecurityPolicyMiddleware",
    "santacare.core.middleware.RequestSizeLimitMiddleware",
]

ROOT_URLCONF = "santacare.urls"
WSGI_APPLICATION = "santacare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "santacare.core.context_processors.desk_contacts",
                "santacare.calendars.context_processors.office_hours",
                "santacare.accounts.context_processors.second_factor_policy",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'santacare.sqlite3'}"),
}
database_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web, the worker and the SMTP listener read while one of them writes;
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking.
    database_options.update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
        timeout=20,
    )
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test.sqlite3")
elif env.bool("DATABASE_SERVER_SIDE_BINDING", default=True):
    # PostgreSQL: a query run 5 times on a connection is prepared, then skips planning.
    database_options.update(server_side_binding=True, prepare_threshold=5)
# Kept between requests (no connect round trip each), checked before reuse; 0: one per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "santacare.customers.backends.UserWithContactBackend",  # first: logins record it
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_ADAPTER = "santacare.accounts.adapters.NoSignupAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_FORMS = {
    "login": "santacare.portal.forms.LoginForm",
    "reset_password": "santacare.portal.forms.ResetPasswordForm",
    "reset_password_from_key": "santacare.portal.forms.ResetPasswordKeyForm",
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SantaCare"
# Agents, team leads and admins enrol a second factor before any page of the desk or the admin
# (accounts/mfa.py). Only the embedded demo (`santacare up` sets SANTACARE_DEMO) relaxes that,
# and then every page carries a banner saying so.
MFA_REQUIRED_FOR_STAFF = not DEMO_MODE
# Portal addresses come from the customer's own data (R11) or were proven by an access request's
# verification link, and agents' from us: MFA may be set up without allauth's email records.
MFA_ALLOW_UNVERIFIED_EMAIL = True
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults cover login, failed logins and password reset; the portal's access
    # request form adds its own (per IP and per address), so it cannot flood a mailbox.
    "portal_access_request": "10/h/ip,3/h/key",
}
# A working day: a customer's portal session does not outlive the day it was opened.
SESSION_COOKIE_AGE = 10 * 60 * 60
ACCOUNT_SESSION_REMEMBER = None

# --- Internationalisation (R14) ---------------------------------------------------------------
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("en", _("English"))]
TIME_ZONE = "Europe/Helsinki"
FORMAT_MODULE_PATH = ["santacare.core.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    # Attachments live under var/, outside the web root, and are served only by views that
    # check who is asking (never by the static file server).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "santacare.core.staticfiles.HashedStaticFilesStorage"}
# Shared object storage (S3 or compatible) for attachments and raw mail, so any node reads what
# another stored; unset, local disk under SANTACARE_VAR_DIR (docs/OPERATIONS.md).
S3_BUCKET = env("SANTACARE_S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = s3_storage(
        bucket=S3_BUCKET,
        endpoint_url=env("SANTACARE_S3_ENDPOINT_URL", default=""),
        access_key=env("SANTACARE_S3_ACCESS_KEY_ID", default=""),
        secret_key=env("SANTACARE_S3_SECRET_ACCESS_KEY", default=""),
        region=env("SANTACARE_S3_REGION", default=""),
        prefix=env("SANTACARE_S3_PREFIX", default=""),
    )
# Raw inbound mail as files in that storage instead of rows' bytes (the database stays small).
MAILGATE_RAW_IN_STORAGE = env.bool("SANTACARE_RAW_MAIL_IN_STORAGE", default=bool(S3_BUCKET))
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Where `santacare up` (`make run`) listens, each as host:port -----------------------------
WEB_ADDRESS = env("SANTACARE_WEB_ADDRESS", default="127.0.0.1:8000")
SMTP_ADDRESS = env("SANTACARE_SMTP_ADDRESS", default="127.0.0.1:2525")
SINK_ADDRESS = env("SANTACARE_SINK_ADDRESS", default="127.0.0.1:1025")

# --- Mail -------------------------------------------------------------------------------------
# Unset, `santacare up` starts a local sink at SINK_ADDRESS that keeps the sent mail as files
# (var/sent-mail), so the default outgoing server is that sink.
EMAIL_URL = env("EMAIL_URL", default="")
EMAIL_CONFIG = env.email_url("EMAIL_URL", default=f"smtp://{SINK_ADDRESS}")
vars().update(EMAIL_CONFIG)
SUPPORT_EMAIL = env("SANTACARE_SUPPORT_EMAIL", default="support@santacare.example")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"SantaCare <{SUPPORT_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
IMAP_URL = env("IMAP_URL", default="")
# The authserv-id of our own receiving MTA: only its Authentication-Results header is believed.
MAILGATE_AUTHSERV_ID = env("MAILGATE_AUTHSERV_ID", default="")
# Hold mail that carries no Authentication-Results at all (no MTA in front) for agent review.
MAILGATE_HOLD_UNVERIFIED = env.bool("MAILGATE_HOLD_UNVERIFIED", default=False)
MAILGATE_AUTO_REPLY_DAILY_CAP = env.int("MAILGATE_AUTO_REPLY_DAILY_CAP", default=40)
# The domain of our Message-IDs (default: the support address's) and the name in our loop
# header (default: that domain); set both when two desks share a mail domain.
MAILGATE_MESSAGE_ID_DOMAIN = env("MAILGATE_MESSAGE_ID_DOMAIN", default="")
MAILGATE_INSTANCE = env("MAILGATE_INSTANCE", default="")
MAILGATE_NEW_TICKETS_PER_SENDER_PER_HOUR = env.int(
    "MAILGATE_NEW_TICKETS_PER_SENDER_PER_HOUR", default=20
)
# Wall-clock seconds one inbound mail may take to parse; a mail over it is quarantined.
MAILGATE_PROCESSING_SECONDS = env.int("MAILGATE_PROCESSING_SECONDS", default=60)
SANTACARE_MAX_ATTACHMENT_BYTES = env.int("SANTACARE_MAX_ATTACHMENT_BYTES", default=20 * 1024 * 1024)

# --- The desk's public contact details (R8, R10, R15) -------------------------------------------
SUPPORT_PHONE = env("SANTACARE_SUPPORT_PHONE", default="+358 10 123 4567")
PORTAL_SUPPORT_EMAIL = env(
    "SANTACARE_PORTAL_SUPPORT_EMAIL", default="portal-support@santacare.example"
)
NOC_PHONE = env("SANTACARE_NOC_PHONE", default="+358 10 765 4321")
NOC_EMAIL = env("SANTACARE_NOC_EMAIL", default="noc@santacare.example")
# R1 policy: may an agent open a phone ticket for a device without a valid contract, as billable
# work? Off by default: such a call is then only pointed to the Service Delivery Manager.
ALLOW_OUT_OF_CONTRACT = env.bool("SANTACARE_ALLOW_OUT_OF_CONTRACT", default=False)
# Calls one API token may make (a number per s, m, h or d), counted on the shared cache.
API_THROTTLE_RATE = env("SANTACARE_API_THROTTLE_RATE", default="120/m")

# --- Background work --------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
HUEY_CLASS = "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey"
HUEY = {
    "huey_class": HUEY_CLASS,
    "name": "santacare",
    "immediate": env.bool("HUEY_IMMEDIATE", default=False),
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(VAR_DIR / "huey.sqlite3")},
    "consumer": {"workers": 2, "worker_type": "thread"},
}
# Inbound mail is processed on a queue of its own, by its own consumer (`santacare
# mail_worker`): however long a hostile mail takes, sending and the SLA sweeps never wait on it.
HUEY_INBOUND_MAIL = {
    **HUEY,
    "name": "santacare-inbound-mail",
    "connection": (
        {"url": REDIS_URL}
        if REDIS_URL
        else {"filename": str(VAR_DIR / "huey-inbound-mail.sqlite3")}
    ),
    "consumer": {"workers": 2, "worker_type": "thread"},
}

# --- Cache: the rate limits' counters ---------------------------------------------------------
# allauth's login lockout and the portal's access-request limits count in the cache, so it must be
# one cache for every process: with per-process memory, three gunicorn workers let 15 wrong
# passwords through instead of 5. Redis when there is one; otherwise a table in the database
# (created by a migration, so `santacare migrate` is all a new installation needs).
CACHE_TABLE = "santacare_cache"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "santacare",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
        }
    }

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Form fields (files aside) over this are refused; uploaded files over the second go to a
# temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The whole request, files included: a larger one gets the 413 page before anything reads it.
SANTACARE_MAX_REQUEST_BYTES = env.int(
    "SANTACARE_MAX_REQUEST_BYTES", default=2 * SANTACARE_MAX_ATTACHMENT_BYTES + 1024 * 1024
)

# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FILE = env("SANTACARE_LOG_FILE", default="")
# json: one JSON object per line with the request, ticket and mail ids (core/logs.py), for a log
# collector; plain (the default, `make run`): for people.
LOG_FORMAT = env("SANTACARE_LOG_FORMAT", default="plain")
LOGGING = logging_config(level=LOG_LEVEL, file=LOG_FILE, log_format=LOG_FORMAT)

# --- Operations: readiness limits and who may read the metrics (docs/OPERATIONS.md) -------------
READY_MAX_QUEUE_DEPTH = env.int("SANTACARE_READY_MAX_QUEUE_DEPTH", default=1000)
READY_MAX_INBOUND_AGE = env.int("SANTACARE_READY_MAX_INBOUND_AGE", default=600)
READY_MAX_OUTBOX_AGE = env.int("SANTACARE_READY_MAX_OUTBOX_AGE", default=900)
READY_MAX_SWEEP_LAG = env.int("SANTACARE_READY_MAX_SWEEP_LAG", default=300)
METRICS_TOKEN = env("SANTACARE_METRICS_TOKEN", default="")
METRICS_ALLOW_NETWORKS = networks(
    "SANTACARE_METRICS_ALLOW", env.list("SANTACARE_METRICS_ALLOW", default=[])
)

# --- Error tracking: Sentry (or a compatible service) only when a DSN is set --------------------
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
