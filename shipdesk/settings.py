"""shipdesk settings, read from the environment (and a local `.env` file).

Every variable is documented in `.env.example`.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment or in .env "
            "(or set DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-debug-is-on"
# Old keys still accepted for signatures and sealed secrets after SECRET_KEY is rotated.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "shipdesk",
    "tracking",
    "mailorders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "shipdesk.pages.NotFoundPageMiddleware",
]

ROOT_URLCONF = "shipdesk.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "shipdesk.context_processors.carrier_mode",
                "shipdesk.context_processors.workspace_roles",
            ],
        },
    },
]

WSGI_APPLICATION = "shipdesk.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share one file: WAL lets readers run beside the
    # writer, IMMEDIATE takes the write lock up front, and the timeout waits for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # One file per test run, so runs side by side in one tree never share a database.
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / f".test-db-{os.getpid()}.sqlite3"}
# Keep each process's connection for reuse (SQLite too: opening the file and running the
# PRAGMAs above cost more than a simple query).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "default" is shared by every process: the database by default, Redis at scale. The API
# throttle counts in it when it counts atomically across processes (Redis, memcached); else in
# its own table, shipdesk.ThrottleWindow, with one atomic statement per request (see shipdesk.api).
# API keys are kept in each process's own memory (shipdesk.services), not in a cache.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://shipdesk_cache")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Times read `Nov 20, 2026 14:05 CST` in the admin as on the pages (shipdesk/formats/).
FORMAT_MODULE_PATH = "shipdesk.formats"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"


def _mailer(url: dict) -> dict:
    """Turn django-environ's EMAIL_* dict into a Django 6.1 MAILERS entry."""
    names = {
        "EMAIL_HOST": "host",
        "EMAIL_PORT": "port",
        "EMAIL_HOST_USER": "username",
        "EMAIL_HOST_PASSWORD": "password",
        "EMAIL_USE_TLS": "use_tls",
        "EMAIL_USE_SSL": "use_ssl",
        "EMAIL_FILE_PATH": "file_path",
    }
    options = {names[k]: v for k, v in url.items() if k in names and v not in ("", None)}
    if "file_path" in options:
        options = {"file_path": options["file_path"]}
    elif not url["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        options = {}
    return {"BACKEND": url["EMAIL_BACKEND"], "OPTIONS": options}


MAIL_DIR = BASE_DIR / "var" / "mail"
# In development each message is a file under var/mail/; with DEBUG off, SMTP on this machine
# (Django's own default) unless EMAIL_URL names the real server.
# django-environ drops one leading slash of a file path: filemail:////abs/path is /abs/path.
EMAIL_DEFAULT = f"filemail:///{MAIL_DIR}" if DEBUG else "smtp://localhost:25"
MAILERS = {"default": _mailer(env.email("EMAIL_URL", default=EMAIL_DEFAULT))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shipdesk <shipdesk@localhost>")

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["shipdesk.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["shipdesk.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "shipdesk.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
API_RATE_PER_SECOND = env.int("API_RATE_PER_SECOND", default=10)
# How long a process answers from the API key it read (a revoked key is refused by every
# process within this time; 0 reads the key for every request).
API_KEY_CACHE_SECONDS = env.float("API_KEY_CACHE_SECONDS", default=0.5)

# OpenAPI of the partner API (/api/schema/, /api/docs/, /api/redoc/); see tracking.api.schema.
SPECTACULAR_SETTINGS = {
    "TITLE": "shipdesk partner API",
    "VERSION": "2024-04",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SORT_OPERATIONS": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "persistAuthorization": True,
        "displayOperationId": True,
        "validatorUrl": None,
    },
    "ENUM_NAME_OVERRIDES": {
        "ErrorTypeEnum": "tracking.api.schema.ERROR_TYPE_CHOICES",
        "WeightUnitEnum": "tracking.api.schema.WEIGHT_UNIT_CHOICES",
        "ProcessingTimeUnitEnum": "tracking.api.schema.PROCESSING_UNIT_CHOICES",
    },
    "PREPROCESSING_HOOKS": ["tracking.api.schema.partner_endpoints"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracking.api.schema.postprocess",
    ],
}

# USPS APIs v3. Without credentials shipdesk tracks through the offline sandbox carrier.
USPS_CLIENT_ID = env.str("USPS_CLIENT_ID", default="")
USPS_CLIENT_SECRET = env.str("USPS_CLIENT_SECRET", default="")
USPS_BASE_URL = env.str("USPS_BASE_URL", default="https://apis.usps.com").rstrip("/")
USPS_REQUESTS_PER_HOUR = env.int("USPS_REQUESTS_PER_HOUR", default=60)
# Shipping labels (live shipper accounts): each account names USPS's test environment or
# production; its app's labels, prices and SCAN forms share their own hourly budget.
USPS_TEST_BASE_URL = env.str("USPS_TEST_BASE_URL", default="https://apis-tem.usps.com").rstrip("/")
USPS_PRODUCTION_BASE_URL = env.str(
    "USPS_PRODUCTION_BASE_URL", default="https://apis.usps.com"
).rstrip("/")
USPS_LABELS_REQUESTS_PER_HOUR = env.int(
    "USPS_LABELS_REQUESTS_PER_HOUR", default=USPS_REQUESTS_PER_HOUR
)
# A live label attempt USPS did not answer is settled by a background sweep this long after it
# was made (unless the partner's retry settled it first), every LABEL_RECONCILE_INTERVAL_SECONDS.
LABEL_ATTEMPT_SETTLE_SECONDS = env.int("LABEL_ATTEMPT_SETTLE_SECONDS", default=300)
LABEL_RECONCILE_INTERVAL_SECONDS = env.int("LABEL_RECONCILE_INTERVAL_SECONDS", default=300)
USPS_TIMEOUT_SECONDS = env.float("USPS_TIMEOUT_SECONDS", default=20.0)
USPS_MAX_RETRIES = env.int("USPS_MAX_RETRIES", default=3)
# The business's USPS Customer Registration ID, sent with proof-of-delivery requests (optional).
USPS_CRID = env.str("USPS_CRID", default="")

TRACKING_EXPIRE_DAYS = env.int("TRACKING_EXPIRE_DAYS", default=30)
REFRESH_INTERVAL_SECONDS = env.int("REFRESH_INTERVAL_SECONDS", default=60)

# Every record is written once, by the root's handler: Django's own "django" handler (console
# with DEBUG on) is taken off, or each django.* line (requests, tasks) would appear twice.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"no_403_traceback": {"()": "shipdesk.logs.PermissionDeniedWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["no_403_traceback"]},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step of every PDF at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)

# HTTPS. Off by default (a plain-HTTP install keeps working); the production .env in
# .env.example turns them on. Behind a proxy that terminates HTTPS, SECURE_PROXY_SSL_HEADER names
# the header it sets and its value ("HTTP_X_FORWARDED_PROTO,https"), or the redirect would loop.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER takes a header and its value: HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)

# Content-Security-Policy of every page: only shipdesk's own files, inline code only with the
# request's nonce (templates: nonce="{{ csp_nonce }}"). data: images are the icons Swagger UI's
# and Redoc's stylesheets embed; Redoc's search runs in a worker made from a blob.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The sandbox carrier plays simulated hours this many times faster than real time.
SANDBOX_TIME_SCALE = env.float("SANDBOX_TIME_SCALE", default=60.0)

# Dotted path of the SMS sender class; the default only writes messages to the log.
SMS_SENDER = env.str("SMS_SENDER", default="tracking.sms.LoggingSmsSender")

# The address people reach shipdesk at, printed on POD letters (verification URL and QR code).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Print mail: the bearer token of the IMb scan feed endpoint (POST /mail/imb-feed); empty turns
# the endpoint off (`manage.py imb_feed FILE` works either way).
IMB_FEED_TOKEN = env.str("IMB_FEED_TOKEN", default="")
# The in-house print queue's Mailer ID in the Intelligent Mail barcode of each piece (9 digits).
PRINT_MAILER_ID = env.str("PRINT_MAILER_ID", default="900000001")

# Upstream print-mail providers (PostGrid-compatible), by name: PRINT_PROVIDERS=postgrid,acme and
# per name PRINT_PROVIDER_<NAME>_BASE_URL, _API_KEY, _WEBHOOK_SECRET, _TIMEOUT_SECONDS. A print
# route sending orders to the provider house names one (blank: PRINT_PROVIDER_DEFAULT).
PRINT_PROVIDERS = {
    name: {
        "BASE_URL": env.str(
            f"PRINT_PROVIDER_{name.upper()}_BASE_URL", default="https://api.postgrid.com"
        ).rstrip("/"),
        "API_KEY": env.str(f"PRINT_PROVIDER_{name.upper()}_API_KEY", default=""),
        "WEBHOOK_SECRET": env.str(f"PRINT_PROVIDER_{name.upper()}_WEBHOOK_SECRET", default=""),
        "TIMEOUT_SECONDS": env.float(f"PRINT_PROVIDER_{name.upper()}_TIMEOUT_SECONDS", default=30),
    }
    for name in env.list("PRINT_PROVIDERS", default=[])
}
PRINT_PROVIDER_DEFAULT = env.str("PRINT_PROVIDER_DEFAULT", default=next(iter(PRINT_PROVIDERS), ""))
PRINT_PROVIDER_MAX_ATTEMPTS = env.int("PRINT_PROVIDER_MAX_ATTEMPTS", default=8)
PRINT_PROVIDER_RETRY_BASE_SECONDS = env.float("PRINT_PROVIDER_RETRY_BASE_SECONDS", default=30)
PRINT_PROVIDER_RETRY_MAX_SECONDS = env.float("PRINT_PROVIDER_RETRY_MAX_SECONDS", default=3600)
PRINT_PROVIDER_POLL_INTERVAL_SECONDS = env.int("PRINT_PROVIDER_POLL_INTERVAL_SECONDS", default=900)
PRINT_PROVIDER_CYCLE_SECONDS = env.int("PRINT_PROVIDER_CYCLE_SECONDS", default=30)
# A provider webhook signed longer ago than this is refused as stale. PostGrid-style retries
# resend the first attempt's signature for up to 7 hours (1 h, 2 h, 4 h), hence 8 hours.
PRINT_PROVIDER_WEBHOOK_TOLERANCE_SECONDS = env.int(
    "PRINT_PROVIDER_WEBHOOK_TOLERANCE_SECONDS", default=8 * 3600
)

# Outgoing webhooks (shipdesk.webhooks): how long to wait for a partner's endpoint, how many
# requests each worker has in flight at once, the delays between attempts (PostGrid's: 1 h,
# 2 h, 4 h after the first), how many failed attempts in a row disable an endpoint, how long a
# worker holds a delivery before another may take it over, how often the sweep looks for
# deliveries a worker lost, and whether targets on loopback or private networks are allowed
# (never in production: a partner could reach internal services).
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
WEBHOOKS_CONCURRENCY = env.int("WEBHOOKS_CONCURRENCY", default=8)
WEBHOOKS_RETRY_DELAYS_SECONDS = [
    int(v) for v in env.list("WEBHOOKS_RETRY_DELAYS_SECONDS", default=["3600", "7200", "14400"])
]
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=10)
WEBHOOKS_CLAIM_SECONDS = env.int("WEBHOOKS_CLAIM_SECONDS", default=60)
WEBHOOKS_SWEEP_INTERVAL_SECONDS = env.int("WEBHOOKS_SWEEP_INTERVAL_SECONDS", default=60)
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)

# Housekeeping (shipdesk.housekeeping, hourly): webhook events with nothing left to send, and
# finished task results, are deleted after these many days.
WEBHOOKS_HISTORY_DAYS = env.int("WEBHOOKS_HISTORY_DAYS", default=30)
TASK_RESULTS_DAYS = env.int("TASK_RESULTS_DAYS", default=14)
HOUSEKEEPING_INTERVAL_SECONDS = env.int("HOUSEKEEPING_INTERVAL_SECONDS", default=3600)

# Signed proofs of delivery (tracking.pod). The Ed25519 signing key: POD_SIGNING_KEY (base64 of a
# 32-byte seed) or the key file `manage.py pod_keys` writes (and `--rotate` rotates); retired
# public keys stay published at /.well-known/shipdesk-passport.json so older PODs still verify.
POD_SIGNING_KEY = env.str("POD_SIGNING_KEY", default="")
# A relative path is taken from the project folder.
POD_SIGNING_KEY_FILE = BASE_DIR / env.str(
    "POD_SIGNING_KEY_FILE", default="var/pod-signing-key.json"
)
POD_RETIRED_PUBLIC_KEYS = env.list("POD_RETIRED_PUBLIC_KEYS", default=[])
# Event detail is purged this many days after a shipment's last update (hourly task); from then
# on /pod answers 410 pod_outside_retention and /proof keeps the chain hashes.
POD_RETENTION_DAYS = env.int("POD_RETENTION_DAYS", default=30)
POD_RETENTION_INTERVAL_SECONDS = env.int("POD_RETENTION_INTERVAL_SECONDS", default=3600)
# The public POD endpoints' limit per client address.
POD_RATE_PER_MINUTE = env.int("POD_RATE_PER_MINUTE", default=60)
# How many reverse proxies in front of shipdesk append to X-Forwarded-For (0: the client is
# REMOTE_ADDR), for the limits counted per client address (log-in, public POD endpoints).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

# The agents' workspace: a shipment with no carrier event for this many days is listed under
# "Needs attention"; failed log-ins are counted per username and per client address in the
# shared cache, and past either limit that username or address must wait the lockout out.
ATTENTION_STALE_DAYS = env.int("ATTENTION_STALE_DAYS", default=5)
LOGIN_FAILURES_PER_USERNAME = env.int("LOGIN_FAILURES_PER_USERNAME", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
