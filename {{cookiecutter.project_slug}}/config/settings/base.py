"""Settings shared by every environment.

Everything is read from the environment through one ``env`` object. With no
DATABASE_URL or REDIS_URL the project runs with zero services (SQLite, the
local-memory cache and an in-process job worker); with them it runs in full mode
(Postgres with Django's connection pool, Redis cache and Redis job broker).
"""

from pathlib import Path
from typing import Any

from config.env import Env

BASE_DIR = Path(__file__).resolve().parents[2]
APP_DIR = BASE_DIR / "{{ cookiecutter.project_slug }}"

env = Env(dotenv=BASE_DIR / ".env")

PROJECT_NAME = env.str("PROJECT_NAME", default="{{ cookiecutter.project_name }}")

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "django_dramatiq",
    "{{ cookiecutter.project_slug }}.core",
    "{{ cookiecutter.project_slug }}.accounts",
]

MIDDLEWARE = [
    "{{ cookiecutter.project_slug }}.core.middleware.RequestIdMiddleware",
    "{{ cookiecutter.project_slug }}.core.middleware.HealthCheckMiddleware",
    "{{ cookiecutter.project_slug }}.core.db.middleware.ReplicaRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [APP_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "{{ cookiecutter.project_slug }}.core.context_processors.project",
            ],
        },
    },
]

SITE_ID = 1
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="{{ cookiecutter.timezone }}")
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Database ---------------------------------------------------------------

DATABASES: dict[str, dict[str, Any]]
DATABASE = env.database("DATABASE_URL", default="")
DATABASE_POOL = env.bool("DATABASE_POOL", default=True)
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=10, min_value=1)
if DATABASE:
    DATABASE["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    DATABASE["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it
    DATABASE["OPTIONS"].setdefault("connect_timeout", 5)
    if DATABASE_POOL:
        DATABASE["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1, min_value=0),
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10, min_value=1),
        }
    DATABASES = {"default": DATABASE}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {
                # WAL lets the in-process job worker write while a request reads.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

# --- Read replicas, PgBouncer and the connection budget ---------------------
# docs/database.md explains each. Every URL in DATABASE_REPLICA_URLS becomes an
# alias (replica_1, replica_2, ...) that core.db.router.ReplicaRouter sends reads
# to; with none, no router is installed and everything uses the primary.

DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
DATABASE_REPLICAS: list[str] = []
for _number, _replica in enumerate(env.databases("DATABASE_REPLICA_URLS", default=[]), start=1):
    if not DATABASE:
        env.error("DATABASE_REPLICA_URLS", "needs DATABASE_URL (the primary) to be set too")
        break
    _replica["ENGINE"] = "{{ cookiecutter.project_slug }}.core.db.replica"
    _replica["CONN_MAX_AGE"] = 0
    _replica["CONN_HEALTH_CHECKS"] = True
    _replica["OPTIONS"].setdefault("connect_timeout", 2)
    if "pool" in DATABASE["OPTIONS"]:
        # A short wait: a replica that cannot lend a connection is skipped for the primary.
        _pool_timeout = env.int("DATABASE_REPLICA_POOL_TIMEOUT", default=2, min_value=1)
        _replica["OPTIONS"]["pool"] = {**DATABASE["OPTIONS"]["pool"], "timeout": _pool_timeout}
    if not DATABASE_PGBOUNCER:
        # Belt and braces: even a URL that points at a writable server cannot write.
        _replica["OPTIONS"].setdefault("options", "-c default_transaction_read_only=on")
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")

DATABASE_ROUTERS = ["{{ cookiecutter.project_slug }}.core.db.router.ReplicaRouter"] if DATABASE_REPLICAS else []
DATABASE_REPLICA_MAX_LAG_SECONDS = env.int("DATABASE_REPLICA_MAX_LAG_SECONDS", default=30, min_value=0)
DATABASE_REPLICA_MAX_LAG_BYTES = env.int("DATABASE_REPLICA_MAX_LAG_BYTES", default=16 * 1024 * 1024, min_value=0)
DATABASE_REPLICA_CHECK_INTERVAL_MS = env.int("DATABASE_REPLICA_CHECK_INTERVAL_MS", default=5000, min_value=100)
DATABASE_REPLICA_CHECK_TIMEOUT_MS = env.int("DATABASE_REPLICA_CHECK_TIMEOUT_MS", default=500, min_value=10)
# How long a client's last write position is remembered. Past it, a replica no more
# than DATABASE_REPLICA_MAX_LAG_SECONDS behind has certainly replayed the write.
DATABASE_WRITE_POSITION_TTL = env.int("DATABASE_WRITE_POSITION_TTL", default=120, min_value=1)
if DATABASE_WRITE_POSITION_TTL <= DATABASE_REPLICA_MAX_LAG_SECONDS:
    env.error("DATABASE_WRITE_POSITION_TTL", "must be longer than DATABASE_REPLICA_MAX_LAG_SECONDS")

if DATABASE_PGBOUNCER:
    # PgBouncer in transaction mode hands each transaction to any server connection:
    # a cursor or a prepared statement made in one transaction is gone in the next.
    for _alias, _database in DATABASES.items():
        if {"prepare_threshold", "server_side_binding"} & set(_database["OPTIONS"]):
            _name = "DATABASE_URL" if _alias == "default" else "DATABASE_REPLICA_URLS"
            env.error(_name, "must not set prepare_threshold or server_side_binding with DATABASE_PGBOUNCER")
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database["OPTIONS"]["prepare_threshold"] = None  # no prepared statements

# The connection budget (core.db.checks): what every process may open at once must
# fit in what the server (or PgBouncer) accepts. WEB_CONCURRENCY is gunicorn's own
# variable; DRAMATIQ_NPROCS and DRAMATIQ_NTHREADS are rundramatiq's (set them for the
# worker: unset, rundramatiq starts one process per CPU).
# A default Postgres: max_connections 100, minus 3 reserved for superusers.
DATABASE_MAX_CONNECTIONS = env.int("DATABASE_MAX_CONNECTIONS", default=97, min_value=1)
DATABASE_RESERVED_CONNECTIONS = env.int("DATABASE_RESERVED_CONNECTIONS", default=10, min_value=0)
WEB_INSTANCES = env.int("WEB_INSTANCES", default=1, min_value=1)
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=1, min_value=1)
WEB_THREADS = env.int("WEB_THREADS", default=1, min_value=1)
WORKER_INSTANCES = env.int("WORKER_INSTANCES", default=1, min_value=0)
WORKER_PROCESSES = env.int("DRAMATIQ_NPROCS", default=2, min_value=1)
WORKER_THREADS = env.int("DRAMATIQ_NTHREADS", default=8, min_value=1)

# --- Cache and job broker ---------------------------------------------------

REDIS_URL = env.url("REDIS_URL", default="", schemes=("redis", "rediss"))
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="{{ cookiecutter.project_slug }}")

CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "{{ cookiecutter.project_slug }}.core.jobs.RequestIdPropagation",
    "{{ cookiecutter.project_slug }}.core.jobs.WritePositionPropagation",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]
DRAMATIQ_BROKER: dict[str, Any]
if REDIS_URL:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {
            "url": REDIS_URL,
            "namespace": env.str("DRAMATIQ_NAMESPACE", default="{{ cookiecutter.project_slug }}-jobs"),
        },
        "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
    }
else:
    # Zero-service mode: an in-memory broker whose worker runs inside this process.
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": [*DRAMATIQ_MIDDLEWARE, "{{ cookiecutter.project_slug }}.core.jobs.InProcessWorker"],
    }

# --- Auth -------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The email column has a case-insensitive unique constraint (Lower("email")), which
# Django's check cannot see; lookups use iexact (accounts.models.UserManager).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PROJECT_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.choice("ACCOUNT_DEFAULT_HTTP_PROTOCOL", ("http", "https"), default="http")

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600, min_value=300)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

# --- Email ------------------------------------------------------------------
# The "default" mailer (used by Django, allauth and our code) only queues a job;
# the job hands the message to the "delivery" mailer, configured by EMAIL_URL.
# A request never waits for a mail server, and a mail server outage is retried.

MAILERS: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "{{ cookiecutter.project_slug }}.core.email.QueuedEmailBackend"},
    "delivery": env.mailer("EMAIL_URL", default="console://"),
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="{{ cookiecutter.email }}")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static and media files -------------------------------------------------

STATIC_URL = env.str("STATIC_URL", default="/static/")
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [APP_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security ---------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Logging ----------------------------------------------------------------
# Every line carries the request id; production writes one JSON object a line.

LOG_LEVEL = env.choice("LOG_LEVEL", ("INFO", "DEBUG", "WARNING", "ERROR"), default="INFO")
LOG_FORMAT = env.choice("LOG_FORMAT", ("text", "json"), default="text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "{{ cookiecutter.project_slug }}.core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"},
        "json": {"()": "{{ cookiecutter.project_slug }}.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Errors -----------------------------------------------------------------

SENTRY_DSN = env.url("SENTRY_DSN", default="", schemes=("https", "http"))
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="local")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_PERCENT = env.int("SENTRY_TRACES_SAMPLE_PERCENT", default=0, min_value=0, max_value=100)
