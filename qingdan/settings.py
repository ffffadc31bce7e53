"""Qingdan settings, read from QINGDAN_* environment variables (see README)."""

import ipaddress
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from qingdan import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env.get_bool("DEBUG", default=False)
SECRET_KEY = env.get_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "QINGDAN_SECRET_KEY is not set. Set it to a long random value (or set QINGDAN_DEBUG=true for development)."
        )
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105 - only ever used with DEBUG on

# Personal data at rest (qingdan/protect.py): the keys that seal ID numbers, phones and bank accounts, and the key
# of their lookup hashes, kept outside the database. Without them, with DEBUG on, both derive from the secret key.
QINGDAN_DATA_KEYS = env.get_str("DATA_KEYS", "")
QINGDAN_LOOKUP_KEY = env.get_str("LOOKUP_KEY", "")
if not DEBUG and not (QINGDAN_DATA_KEYS and QINGDAN_LOOKUP_KEY):
    raise ImproperlyConfigured(
        'QINGDAN_DATA_KEYS and QINGDAN_LOOKUP_KEY are not set. Make each with `python3 -c "import base64, os; '
        'print(base64.b64encode(os.urandom(32)).decode())"`; QINGDAN_DATA_KEYS takes the form k1:<key> '
        "(docs/security.md, personal data)."
    )

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("QINGDAN_ALLOWED_HOSTS is not set: list the host names the site is served under.")
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "qingdan.apps.QingdanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # its API docs page then uses the bundled Swagger files, not a CDN
    "qingdan",
    "orgs",
    "audit",
    "jobs",
    "surveys",
    "documents",
    "evidence",
    "checklists",
    "cases",
    "assistance",
    "scoring",
    "overview",
    "workdays",
]

MIDDLEWARE = [
    "qingdan.logs.RequestIdMiddleware",  # first: every answer carries the request id and is logged and counted
    "qingdan.boundary.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qingdan.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "qingdan.boundary.CleanInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qingdan.pagecache.WriterMiddleware",  # whose writes make their own boards stale (qingdan/pagecache.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "orgs.middleware.SessionGuardMiddleware",
    "audit.middleware.RefusalAuditMiddleware",
    "orgs.middleware.SeparatedDutiesMiddleware",
    "qingdan.middleware.RefusalMiddleware",
    "workdays.middleware.CalendarCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qingdan.boundary.PrivateResponseMiddleware",
]
# Chooses, per request, whether reads may go to the replica (does nothing without one; qingdan/replica.py).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1, "qingdan.replica.ReplicaMiddleware"
)

ROOT_URLCONF = "qingdan.urls"
WSGI_APPLICATION = "qingdan.wsgi.application"

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
                "qingdan.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.get_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'qingdan.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # SQLite ignores SELECT … FOR UPDATE: take the write lock when a transaction starts instead,
    # so two requests changing the same rows wait for each other rather than fail.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
# A read replica (a PostgreSQL streaming standby): pages and API calls that only read go there, unless the user
# wrote within the last QINGDAN_REPLICA_PIN_SECONDS (qingdan/replica.py). Migrations run only on the default.
QINGDAN_REPLICA_PIN_SECONDS = env.get_int("REPLICA_PIN_SECONDS", 10, minimum=1)
if env.get_str("REPLICA_URL", ""):
    DATABASES["replica"] = env.get_database("REPLICA_URL", None)
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("QINGDAN_REPLICA_URL must name a database of the same kind as QINGDAN_DATABASE_URL.")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # a test run reads its own writes
    DATABASE_ROUTERS = ["qingdan.replica.ReplicaRouter"]
# PostgreSQL's JIT compiler spends seconds compiling the workbench's and the item list's counting queries at
# province scale (their estimated cost passes its threshold) to save a fraction of that: measured 3.1-4.5 s with
# it, 0.58 s without (bench/README.md, the province's data). A random read is priced as on a disk of the 1990s
# (4) by default: with a province's data in memory or on SSD, the planner then reads whole tables instead of a
# county's rows by the unit path's index (the overview 350 ms to 240 ms for a county's leader, bench/README.md).
# The URL's own options come after the cost (a deployment on spinning disks may set it back) and before jit=off.
for _database in DATABASES.values():
    if _database["ENGINE"].endswith("postgresql"):
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"-c random_page_cost=1.1 {_options.get('options', '')} -c jit=off".replace("  ", " ")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The open items' index keeps the item's id beside the unit on PostgreSQL; SQLite builds it without, and says so.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "orgs.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# Log-in protection and idle time-out (minutes); see orgs/auth.py and orgs/middleware.py. Wrong passwords are
# counted over the last QINGDAN_LOCKOUT_MINUTES: per account and address (that pair waits), per address across
# accounts (that address waits), and per account across addresses (the account locks; 0: never).
QINGDAN_LOGIN_MAX_FAILURES = env.get_int("LOGIN_MAX_FAILURES", 5, minimum=1)
QINGDAN_LOGIN_ADDRESS_MAX_FAILURES = env.get_int("LOGIN_ADDRESS_MAX_FAILURES", 20, minimum=1)
QINGDAN_LOGIN_ACCOUNT_MAX_FAILURES = env.get_int("LOGIN_ACCOUNT_MAX_FAILURES", 100, minimum=0)
QINGDAN_LOCKOUT_MINUTES = env.get_int("LOCKOUT_MINUTES", 30, minimum=1)
# Behind a reverse proxy the client's address is the last one the proxy adds to X-Forwarded-For.
QINGDAN_BEHIND_PROXY = env.get_bool("BEHIND_PROXY", default=False)
# A change to a privileged account waits this long for a second person to confirm it (orgs.services).
QINGDAN_DUTY_REQUEST_HOURS = env.get_int("DUTY_REQUEST_HOURS", 48, minimum=1)
QINGDAN_IDLE_MINUTES = env.get_int("IDLE_MINUTES", 30, minimum=1)
# The idle time-out itself is enforced by orgs.middleware; the cookie outlives it a little.
SESSION_COOKIE_AGE = QINGDAN_IDLE_MINUTES * 60 + 120
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.get_time_zone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from the npm lock file and are served by the app itself:
# intranet deployments have no internet, so no page may load anything from elsewhere.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
# Uploaded files (evidence, imports waiting for their confirmation) must be reachable from every app server:
# QINGDAN_MEDIA_ROOT on a shared file system, or an S3-compatible bucket with QINGDAN_S3_BUCKET.
QINGDAN_S3_BUCKET = env.get_str("S3_BUCKET", "")
if QINGDAN_S3_BUCKET:
    _s3_options = {
        "bucket_name": QINGDAN_S3_BUCKET,
        "endpoint_url": env.get_url("S3_ENDPOINT_URL", None, ("http://", "https://")),
        "region_name": env.get_str("S3_REGION", "") or None,
        "access_key": env.get_str("S3_ACCESS_KEY", "") or None,
        "secret_key": env.get_str("S3_SECRET_KEY", "") or None,
        "location": env.get_str("S3_PREFIX", "").strip("/"),
        "default_acl": None,
        "querystring_auth": True,  # the app streams files after its own checks; links, if any, expire
        "file_overwrite": False,
    }
    if bool(_s3_options["access_key"]) != bool(_s3_options["secret_key"]):
        raise ImproperlyConfigured("QINGDAN_S3_ACCESS_KEY and QINGDAN_S3_SECRET_KEY go together: set both or neither.")
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.get_path("MEDIA_ROOT", VAR_DIR / "media")  # shared by every app server when there are several
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Refusals in the audit trail (audit/refusals.py): rows written one by one per user (or address) and minute before
# the rest are only counted; requests outside the user's organisation within the window that alert the auditors.
QINGDAN_AUDIT_DENIED_PER_MINUTE = env.get_int("AUDIT_DENIED_PER_MINUTE", 20, minimum=1)
QINGDAN_AUDIT_ALERT_OUT_OF_SCOPE = env.get_int("AUDIT_ALERT_OUT_OF_SCOPE", 10, minimum=1)
QINGDAN_AUDIT_ALERT_MINUTES = env.get_int("AUDIT_ALERT_MINUTES", 10, minimum=1)
QINGDAN_API_TOKEN_DAYS = env.get_int("API_TOKEN_DAYS", 90, minimum=1)  # an API token works this long
# Mail (the weekly digest, overview.digest): with no host set, no mail is sent at all. QINGDAN_SITE_URL is the
# address the mail's links start with (the notification links within the site and needs none).
QINGDAN_EMAIL_HOST = env.get_str("EMAIL_HOST", "")
EMAIL_HOST = QINGDAN_EMAIL_HOST or "localhost"
EMAIL_PORT = env.get_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.get_str("EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env.get_str("EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.get_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.get_str("EMAIL_FROM", "qingdan@localhost")
QINGDAN_SITE_URL = env.get_str("SITE_URL", "").rstrip("/")
QINGDAN_MAX_IMPORT_BYTES = env.get_int("MAX_IMPORT_BYTES", 10 * 1024 * 1024, minimum=1024)
# What an uploaded workbook may expand to: checked while it is inflated and read, before anything is kept.
QINGDAN_MAX_IMPORT_UNPACKED_BYTES = env.get_int("MAX_IMPORT_UNPACKED_BYTES", 200 * 1024 * 1024, minimum=1024)
QINGDAN_MAX_IMPORT_ROWS = env.get_int("MAX_IMPORT_ROWS", 200_000, minimum=10)
QINGDAN_MAX_IMPORT_COLUMNS = env.get_int("MAX_IMPORT_COLUMNS", 100, minimum=5)
QINGDAN_MAX_IMPORT_CELL_CHARS = env.get_int("MAX_IMPORT_CELL_CHARS", 5000, minimum=100)

# The close-out's thresholds and intervals are rules of each federation (``qingdan.rules``, set on the rules
# page), not deployment settings.
QINGDAN_MAX_EVIDENCE_BYTES = env.get_int("MAX_EVIDENCE_BYTES", 20 * 1024 * 1024, minimum=1024)
# A request larger than this is refused by its Content-Length before its body is received: room for the larger
# upload and the form around it.
QINGDAN_MAX_REQUEST_BYTES = env.get_int(
    "MAX_REQUEST_BYTES", max(QINGDAN_MAX_IMPORT_BYTES, QINGDAN_MAX_EVIDENCE_BYTES) + 1024 * 1024, minimum=1024
)
# An import's upload kept between its preview and its confirmation is deleted after this many hours.
QINGDAN_PENDING_IMPORT_HOURS = env.get_int("PENDING_IMPORT_HOURS", 24, minimum=1)

# The open poll link's throttle (surveys/throttle.py): answers accepted per poll and client address, and per poll,
# in any QINGDAN_POLL_WINDOW_SECONDS. Workers of one factory often share one NAT address: a workshop of 40 who
# scan the QR code at a meeting take a minute or more each to read and answer, so their answers spread over
# several minutes and fewer than 30 land in any one minute; a script answers in a fraction of a second (the
# probe sent 60 in 5 s), so it is stopped at 30. A throttled worker gets the form back with the answers given,
# to send again a minute later. 120 a minute for a whole poll lets a county's WeChat group answer at once.
QINGDAN_POLL_WINDOW_SECONDS = env.get_int("POLL_WINDOW_SECONDS", 60, minimum=10)
QINGDAN_POLL_ANSWERS_PER_ADDRESS = env.get_int("POLL_ANSWERS_PER_ADDRESS", 30, minimum=1)
QINGDAN_POLL_ANSWERS_PER_POLL = env.get_int("POLL_ANSWERS_PER_POLL", 120, minimum=1)
# A poll's page flags a minute with this many answers from one address (through any link) as a burst.
QINGDAN_POLL_BURST_ANSWERS = env.get_int("POLL_BURST_ANSWERS", 10, minimum=2)
# The public pages' throttles (qingdan/throttles.py) must be shared by every app server, so their counts live in the
# database cache "polls" (its table is made by the surveys migration 0004). With QINGDAN_REDIS_URL the default
# cache is Redis, shared by every app server, and sessions are kept in it in front of the database; without it
# (the demo, one process) the default cache is per process and holds nothing another server needs.
QINGDAN_REDIS_URL = env.get_url("REDIS_URL", "", ("redis://", "rediss://", "unix://"))
if QINGDAN_REDIS_URL:
    _default_cache = {
        "BACKEND": "qingdan.cache.ForgivingRedisCache",  # a miss while Redis restarts, not a 500
        "LOCATION": QINGDAN_REDIS_URL,
        "KEY_PREFIX": env.get_str("CACHE_PREFIX", "qingdan"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    _default_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
# The busiest pages are kept between requests, for one user each, until a table they read is written
# (qingdan/pagecache.py), for at most this many seconds (a page is of its minute: more than 60 gains nothing). Their
# versions must be shared by every app server and worker: on by default with Redis, 0 turns it off.
QINGDAN_PAGE_CACHE_SECONDS = env.get_int("PAGE_CACHE_SECONDS", 60 if QINGDAN_REDIS_URL else 0, minimum=0)
CACHES = {
    "default": _default_cache,
    "polls": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "qingdan_poll_throttle",
        "OPTIONS": {"MAX_ENTRIES": 10_000},  # expired counts are cleared when there are more
    },
}

X_FRAME_OPTIONS = "DENY"
# Scripts only from the app itself or inline with this response's nonce; no plug-ins, no framing, forms post
# only here. Styles may be inline: the pages' style attributes and the charts' are not executable.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.get_int("HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if QINGDAN_BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Monitoring (README, "Monitoring"): /livez/ and /healthz/ (qingdan/health.py), /metrics (qingdan/telemetry.py),
# and the logs with their request id (qingdan/logs.py). The health check waits this long for all its checks, and
# fails the disk check under this much free space.
QINGDAN_HEALTH_TIMEOUT_MS = env.get_int("HEALTH_TIMEOUT_MS", 2000, minimum=50)
QINGDAN_HEALTH_MIN_FREE_MB = env.get_int("HEALTH_MIN_FREE_MB", 500, minimum=0)
# /metrics answers these addresses or networks, and a request with the token; anyone else gets 404.
# Kept as ipaddress networks, parsed once here.
QINGDAN_METRICS_ALLOW = []
for _entry in env.get_list("METRICS_ALLOW", ["127.0.0.1", "::1"]):
    try:
        QINGDAN_METRICS_ALLOW.append(ipaddress.ip_network(_entry, strict=False))
    except ValueError:
        raise ImproperlyConfigured(
            f"QINGDAN_METRICS_ALLOW holds {_entry!r}: expected addresses or networks such as 10.0.0.5,10.1.0.0/16."
        ) from None
QINGDAN_METRICS_TOKEN = env.get_str("METRICS_TOKEN", "")
if QINGDAN_METRICS_TOKEN and len(QINGDAN_METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("QINGDAN_METRICS_TOKEN is too short: use at least 24 random characters.")
# The probes and the scraper may call the app server directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|livez)/$", r"^metrics$"]
QINGDAN_LOG_FORMAT = env.get_str("LOG_FORMAT", "text").strip().lower()
if QINGDAN_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"QINGDAN_LOG_FORMAT={QINGDAN_LOG_FORMAT!r} is not valid: expected text or json.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "qingdan.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"()": "qingdan.logs.TextFormatter"},
        "json": {"()": "qingdan.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": QINGDAN_LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "WARNING")},
    # One line per request (qingdan.logs.RequestIdMiddleware), whatever the level of the rest.
    "loggers": {"qingdan.request": {"level": env.get_str("ACCESS_LOG_LEVEL", "INFO")}},
}

# Background jobs (``jobs``, ``qingdan/celery.py``). With QINGDAN_BROKER_URL set (Redis, e.g.
# redis://127.0.0.1:6379/0) a job is sent to a Celery worker when its transaction commits; without it (the demo,
# most tests) it runs in the request that starts it. Results live in the jobs' own rows, so Celery keeps none.
QINGDAN_BROKER_URL = env.get_str("BROKER_URL", "")
if QINGDAN_BROKER_URL and not QINGDAN_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        f"QINGDAN_BROKER_URL={QINGDAN_BROKER_URL!r} is not a Redis address such as redis://127.0.0.1:6379/0."
    )
QINGDAN_JOB_SOFT_SECONDS = env.get_int("JOB_SOFT_SECONDS", 30 * 60, minimum=10)
CELERY_BROKER_URL = QINGDAN_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "qingdan"
# A message is acknowledged only once its job has run; a worker killed mid-job leaves it to be delivered again,
# and the runner (jobs.services.run) starts such a job over, or drops it when it had finished.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = QINGDAN_JOB_SOFT_SECONDS  # the job fails with a message, its transaction undone
CELERY_TASK_TIME_LIMIT = QINGDAN_JOB_SOFT_SECONDS + 60  # then the worker process is killed
# Redis gives an unacknowledged message to another worker after this long: longer than any job may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": QINGDAN_JOB_SOFT_SECONDS * 2 + 300}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE  # the beat schedule below is in China time
CELERY_ENABLE_UTC = True


def _scheduled(kind, every, **when):
    from celery.schedules import crontab

    return {"task": "jobs.scheduled", "schedule": crontab(**when), "args": [kind, every]}


CELERY_BEAT_SCHEDULE = {
    "scan-publicity": _scheduled("assistance.scan_publicity", "day", hour=0, minute=10),
    "scan-deadlines": _scheduled("checklists.scan_deadlines", "day", hour=1, minute=0),
    "scan-demands": _scheduled("cases.scan_demands", "day", hour=1, minute=10),
    "scan-disputes": _scheduled("cases.scan_disputes", "day", hour=1, minute=20),
    "scan-letters": _scheduled("cases.scan_letters", "day", hour=1, minute=30),
    "scan-care": _scheduled("assistance.scan_care", "day", hour=6, minute=0),
    "send-digest": _scheduled("overview.send_digest", "week", day_of_week="mon", hour=7, minute=0),
}
