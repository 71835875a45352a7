"""Settings shared by every environment.

Everything is read from the environment through one ``env`` object. With no
DATABASE_URL or REDIS_URL the project runs with zero services (SQLite, the
local-memory cache and an in-process job worker); with them it runs in full mode
(Postgres with Django's connection pool, Redis cache and Redis job broker).
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corsheaders.defaults import default_headers
from django.utils.csp import CSP

from {{ cookiecutter.project_slug }}.core.db.pool import check_connection

from config.env import Env

BASE_DIR = Path(__file__).resolve().parents[2]
APP_DIR = BASE_DIR / "{{ cookiecutter.project_slug }}"

env = Env(dotenv=BASE_DIR / ".env")

PROJECT_NAME = env.str("PROJECT_NAME", default="{{ cookiecutter.project_name }}")
# The pages' meta description; the default is the one-line description given at generation (up to 200 characters).
PROJECT_DESCRIPTION = env.str(
    "PROJECT_DESCRIPTION",
    default={{ cookiecutter.description|tojson|replace('\\"', '\\u0022') }},  # noqa: E501, RUF100
)

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
# Rotating the key: put the new one in DJANGO_SECRET_KEY and the old one here until
# sessions and links signed with it have expired (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
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
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.forms",  # the form renderer finds Django's widget templates through TEMPLATES
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "allauth.socialaccount",
    "allauth.usersessions",
    "corsheaders",  # front ends on other origins (docs/auth.md)
    "django_dramatiq",
    "dramatiq_crontab",
    "{{ cookiecutter.project_slug }}.core",
    "{{ cookiecutter.project_slug }}.accounts",
    "{{ cookiecutter.project_slug }}.organizations",
    "{{ cookiecutter.project_slug }}.webhooks",
    "{{ cookiecutter.project_slug }}.billing",
    # --- API (docs/api.md) ---
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the project, pinned (docs/api.md)
    "{{ cookiecutter.project_slug }}.api",
    "{{ cookiecutter.project_slug }}.projects",
]

MIDDLEWARE = [
    "{{ cookiecutter.project_slug }}.core.middleware.RequestIdMiddleware",
    "{{ cookiecutter.project_slug }}.core.middleware.HealthCheckMiddleware",
    "{{ cookiecutter.project_slug }}.core.middleware.AccessLogMiddleware",
    "{{ cookiecutter.project_slug }}.core.db.middleware.ReplicaRoutingMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before anything that can answer: preflights get their headers
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Bad input at the JSON entry points: refused in their own shapes before anything reads it (docs/api.md).
    "{{ cookiecutter.project_slug }}.core.bodies.JsonBodyMiddleware",
    "{{ cookiecutter.project_slug }}.accounts.middleware.HeadlessErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: pages enhanced with htmx answer with a fragment
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "{{ cookiecutter.project_slug }}.api.middleware.UserSessionsMiddleware",  # allauth's, except under /api/
    "{{ cookiecutter.project_slug }}.core.middleware.DomainErrorMiddleware",
    "{{ cookiecutter.project_slug }}.billing.middleware.PlanMiddleware",  # plan features and read-only on pages
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [APP_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",  # csp_nonce in templates, for inline scripts and styles
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "{{ cookiecutter.project_slug }}.core.pages.context_processors.project",
                "{{ cookiecutter.project_slug }}.organizations.context_processors.organizations",
            ],
        },
    },
]

# Every form renders through templates/components/form.html and field.html (docs/frontend.md).
FORM_RENDERER = "{{ cookiecutter.project_slug }}.core.pages.forms.FormRenderer"

SITE_ID = 1
SITE_DOMAIN = env.str("SITE_DOMAIN", default="{{ cookiecutter.domain_name }}")
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
            # Polls the socket; asks the server only if it has spoken (core.db.pool).
            "check": check_connection,
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

# Server-side prepared statements: parameters bound by the server (psycopg's server-side
# binding), and a statement run 5 times on a connection is prepared there, so Postgres plans
# it once per connection instead of on every run (docs/database.md; docs/benchmarks.md
# measures it). Off behind PgBouncer, which cannot carry them in transaction mode.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=not DATABASE_PGBOUNCER)
if DATABASE_PREPARED_STATEMENTS and DATABASE_PGBOUNCER:
    env.error("DATABASE_PREPARED_STATEMENTS", "must be false with DATABASE_PGBOUNCER (docs/database.md)")
elif DATABASE_PREPARED_STATEMENTS and DATABASE:
    for _database in DATABASES.values():
        _database["OPTIONS"].setdefault("server_side_binding", True)
        _database["OPTIONS"].setdefault("prepare_threshold", 5)

if DATABASE_PGBOUNCER:
    # PgBouncer in transaction mode hands each transaction to any server connection:
    # a cursor or a prepared statement made in one transaction is gone in the next.
    for _alias, _database in DATABASES.items():
        if {"prepare_threshold", "server_side_binding"} & set(_database["OPTIONS"]):
            _name = "DATABASE_URL" if _alias == "default" else "DATABASE_REPLICA_URLS"
            env.error(_name, "must not set prepare_threshold or server_side_binding with DATABASE_PGBOUNCER")
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database["OPTIONS"]["prepare_threshold"] = None  # no prepared statements

# The connection budget (core.dbtools.checks): what every process may open at once must
# fit in what the server (or PgBouncer) accepts. WEB_CONCURRENCY is gunicorn's own
# variable; DRAMATIQ_NPROCS and DRAMATIQ_NTHREADS are rundramatiq's (set them for the
# worker: unset, rundramatiq starts one process per CPU).
# A default Postgres: max_connections 100, minus 3 reserved for superusers.
DATABASE_MAX_CONNECTIONS = env.int("DATABASE_MAX_CONNECTIONS", default=97, min_value=1)
DATABASE_RESERVED_CONNECTIONS = env.int("DATABASE_RESERVED_CONNECTIONS", default=10, min_value=0)
WEB_INSTANCES = env.int("WEB_INSTANCES", default=1, min_value=1)
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=2, min_value=1)
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

# Jobs (Dramatiq). The broker follows JOBS_BROKER_URL (default: REDIS_URL):
# redis:// or rediss:// for Redis, amqp:// or amqps:// for RabbitMQ. With neither,
# zero-service mode uses an in-memory broker whose worker runs in this process.
JOBS_BROKER_URL = env.url("JOBS_BROKER_URL", default=REDIS_URL, schemes=("redis", "rediss", "amqp", "amqps"))
DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.CurrentMessage",
    "dramatiq.middleware.Retries",
    "{{ cookiecutter.project_slug }}.core.jobs.middleware.RequestIdPropagation",
    "{{ cookiecutter.project_slug }}.core.jobs.middleware.Idempotency",
    "{{ cookiecutter.project_slug }}.core.observability.tracing.TracePropagation",
    "{{ cookiecutter.project_slug }}.core.observability.metrics.JobMetrics",
    "{{ cookiecutter.project_slug }}.core.jobs.middleware.WritePositionPropagation",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]
DRAMATIQ_BROKER: dict[str, Any]
if JOBS_BROKER_URL.startswith("amqp"):
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker",
        "OPTIONS": {"url": JOBS_BROKER_URL, "confirm_delivery": True},
        "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
    }
elif JOBS_BROKER_URL:
    DRAMATIQ_BROKER = {
        "BROKER": "{{ cookiecutter.project_slug }}.core.jobs.brokers.RedisBroker",  # takes back what a restart orphaned
        "OPTIONS": {
            "url": JOBS_BROKER_URL,
            "namespace": env.str("DRAMATIQ_NAMESPACE", default="{{ cookiecutter.project_slug }}-jobs"),
            # A worker that dies (OOM, SIGKILL, lost node) has its unacknowledged
            # messages handed to another worker once its heartbeat is this old.
            "heartbeat_timeout": env.int("JOBS_HEARTBEAT_TIMEOUT_MS", default=60_000, min_value=1_000),
            # How many broker commands in a million also run that hand-over check.
            "maintenance_chance": env.int("JOBS_MAINTENANCE_CHANCE", default=1_000, min_value=1, max_value=1_000_000),
            # Dead-lettered messages are kept this long for inspection and replay.
            "dead_message_ttl": env.int("JOBS_DEAD_MESSAGE_TTL_MS", default=7 * 24 * 3600 * 1000, min_value=60_000),
        },
        "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
    }
else:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": [*DRAMATIQ_MIDDLEWARE, "{{ cookiecutter.project_slug }}.core.jobs.middleware.InProcessWorker"],
    }
# The scheduler process (manage.py crontab) enqueues @cron jobs; a Redis lock
# keeps a second scheduler from running them twice.
DRAMATIQ_CRONTAB = {"REDIS_URL": REDIS_URL} if REDIS_URL else {}
# How long a completed job's idempotency record is kept (redeliveries come within minutes).
JOBS_IDEMPOTENCY_RETENTION_DAYS = env.int("JOBS_IDEMPOTENCY_RETENTION_DAYS", default=14, min_value=1)

# --- Auth -------------------------------------------------------------------
# django-allauth, configured rather than hand-rolled: email login with mandatory
# verification, login by emailed code, MFA (TOTP, recovery codes, passkeys),
# sessions users can list and revoke, and a headless API for SPAs and apps.

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2 for new hashes; the others verify imported or older hashes and are
# upgraded to Argon2 on the next successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
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
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True  # a reset request for an unknown address still gets one mail
ACCOUNT_REAUTHENTICATION_REQUIRED = True  # email and password changes ask for the password again
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("ACCOUNT_REAUTHENTICATION_TIMEOUT", default=300, min_value=30)
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # keep this session, end every other one (usersessions)
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PROJECT_NAME}] "
ACCOUNT_FORMS = {
    "signup": "{{ cookiecutter.project_slug }}.accounts.forms.SignupForm",
    "add_email": "{{ cookiecutter.project_slug }}.accounts.forms.AddEmailForm",
    "reset_password": "{{ cookiecutter.project_slug }}.accounts.forms.QueuedResetPasswordForm",
}
ACCOUNT_ADAPTER = "{{ cookiecutter.project_slug }}.accounts.adapters.AccountAdapter"
HEADLESS_ADAPTER = "{{ cookiecutter.project_slug }}.accounts.adapters.HeadlessAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.choice("ACCOUNT_DEFAULT_HTTP_PROTOCOL", ("http", "https"), default="http")
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Failed passwords: per client address, and per account and address (accounts.adapters);
    "login_failed": "10/m/ip,5/5m/key",
    # and per account from everywhere: above the 60 an hour one address can reach.
    "login_failed_account": "100/h/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_email": "5/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}

# Behind a load balancer every request arrives from the balancer's address. Set
# how many proxies append to X-Forwarded-For (or which header the edge sets to
# the client's address) so rate limits see the real client and clients cannot
# spoof it: see docs/operations.md.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0, min_value=0, max_value=10)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = PROJECT_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # passkeys over plain http on a developer's machine only

USERSESSIONS_TRACK_ACTIVITY = True

HEADLESS_CLIENTS = ("browser", "app")
HEADLESS_SERVE_SPECIFICATION = True  # OpenAPI description of /_allauth/ at /_allauth/openapi.html
HEADLESS_SPECIFICATION_TEMPLATE_NAME = "headless/spec/swagger.html"  # Swagger UI from this site, not a CDN
# Where a decoupled front end handles the pages allauth links to (emails, redirects); unset: these pages.
# Every URL allauth asks a front end for; {key} is replaced by the emailed key.
HEADLESS_FRONTEND_URLS: dict[str, str] = {}
for _name, _variable, _placeholder in (
    ("account_confirm_email", "FRONTEND_URL_CONFIRM_EMAIL", "{key}"),
    ("account_reset_password", "FRONTEND_URL_REQUEST_PASSWORD_RESET", ""),
    ("account_reset_password_from_key", "FRONTEND_URL_RESET_PASSWORD", "{key}"),
    ("account_signup", "FRONTEND_URL_SIGNUP", ""),
    ("socialaccount_login_error", "FRONTEND_URL_SOCIAL_LOGIN_ERROR", ""),
):
    _url = env.url(_variable, default="", schemes=("https", "http"))
    if _url and _placeholder not in _url:
        env.error(_variable, f"must contain {_placeholder}, where the emailed key goes")
    if _url:
        HEADLESS_FRONTEND_URLS[_name] = _url

# Social login: a provider is switched on by setting its client id and secret.
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, Any]] = {}
for _provider in ("github", "google"):
    _client_id = env.str(f"{_provider.upper()}_CLIENT_ID", default="")
    if _client_id:
        INSTALLED_APPS.append(f"allauth.socialaccount.providers.{_provider}")
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [{"client_id": _client_id, "secret": env.str(f"{_provider.upper()}_CLIENT_SECRET")}],
            "EMAIL_AUTHENTICATION": False,  # never sign someone in by an address a provider asserts
        }
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"

# Sessions live in the database, cached in Redis: any web process can read
# them, so web servers stay stateless and users can list and end them.
# core.sessions: they keep working while Redis is down, and end after
# SESSION_IDLE_TIMEOUT without use or SESSION_COOKIE_AGE after sign-in (docs/auth.md).
SESSION_ENGINE = "{{ cookiecutter.project_slug }}.core.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600, min_value=300, max_value=90 * 24 * 3600)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=24 * 3600, min_value=300)
if SESSION_IDLE_TIMEOUT > SESSION_COOKIE_AGE:
    env.error("SESSION_IDLE_TIMEOUT", "must not be longer than SESSION_COOKIE_AGE")
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

# --- Webhooks ---------------------------------------------------------------------

WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=True)
# Refuse endpoints that resolve to private, loopback or link-local addresses (SSRF).
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False)
WEBHOOK_MAX_RETRIES = env.int("WEBHOOK_MAX_RETRIES", default=8, min_value=0, max_value=20)
WEBHOOK_RETRY_MIN_BACKOFF_MS = env.int("WEBHOOK_RETRY_MIN_BACKOFF_MS", default=30_000, min_value=10)
WEBHOOK_RETRY_MAX_BACKOFF_MS = env.int("WEBHOOK_RETRY_MAX_BACKOFF_MS", default=6 * 3600_000, min_value=10)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=5, min_value=1)

# --- Organizations --------------------------------------------------------------

INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=7, min_value=1, max_value=90)
# Cached permission sets expire after this many seconds even without a change (a backstop).
PERMISSIONS_CACHE_TTL = env.int("PERMISSIONS_CACHE_TTL", default=600, min_value=10)

# --- Billing (docs/billing.md) ------------------------------------------------------
# Off until STRIPE_SECRET_KEY is set (and never in zero-service mode): every organization is then on
# BILLING_DEFAULT_PLAN. The price ids sell the plans of billing/plans.py.

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.url("STRIPE_API_BASE", default="", schemes=("https", "http"))  # unset: Stripe's own API
STRIPE_PRICE_PRO = env.str("STRIPE_PRICE_PRO", default="")
STRIPE_PRICE_BUSINESS = env.str("STRIPE_PRICE_BUSINESS", default="")
BILLING_ENABLED = bool(STRIPE_SECRET_KEY) and bool(DATABASE)
BILLING_DEFAULT_PLAN = env.choice("BILLING_DEFAULT_PLAN", ("free", "pro", "business"), default="business")
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7, min_value=0, max_value=60)
if BILLING_ENABLED and not STRIPE_WEBHOOK_SECRET:
    env.error("STRIPE_WEBHOOK_SECRET", "is required once STRIPE_SECRET_KEY is set (docs/billing.md)")

# --- API (docs/api.md) -------------------------------------------------------------
# Versions live in code (api/versions.py); this is how requests are read, checked and answered.

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "{{ cookiecutter.project_slug }}.api.authentication.ApiKeyAuthentication",
        "{{ cookiecutter.project_slug }}.api.authentication.AppSessionAuthentication",
        "{{ cookiecutter.project_slug }}.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The rate limits these state are counted together, in one round trip to Redis, in any order (api.throttling).
    "DEFAULT_THROTTLE_CLASSES": [
        "{{ cookiecutter.project_slug }}.api.throttling.PrincipalRateThrottle",
        "{{ cookiecutter.project_slug }}.billing.api.PlanEnforcement",  # plan features, rate limits, read-only
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "{{ cookiecutter.project_slug }}.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "{{ cookiecutter.project_slug }}.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "{{ cookiecutter.project_slug }} API",  # not the product name: the committed contracts must not depend on it
    "DESCRIPTION": "Every error has the shape of the `Error` component. See docs/api.md of the project.",
    "VERSION": None,
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "{{ cookiecutter.project_slug }}.api.schema.finish"],
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "COMPONENT_SPLIT_PATCH": False,  # PATCH bodies keep their own component names (version changes use them)
    # Swagger UI's files come from drf-spectacular-sidecar, pinned in uv.lock: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Requests per minute, per user and per API key, counted in Redis by every process together.
API_RATE_LIMIT_USER = env.int("API_RATE_LIMIT_USER", default=600, min_value=1)
API_RATE_LIMIT_KEY = env.int("API_RATE_LIMIT_KEY", default=1200, min_value=1)
# Failed API key attempts a minute per client address before 429 (no key is looked up meanwhile).
API_KEY_FAILURE_LIMIT = env.int("API_KEY_FAILURE_LIMIT", default=20, min_value=1)
# API keys read <prefix>_<60 letters and digits>; secret scanners look for the prefix.
API_KEY_PREFIX = env.str("API_KEY_PREFIX", default="{{ cookiecutter.project_slug }}")
IDEMPOTENCY_KEY_RETENTION_HOURS = env.int("IDEMPOTENCY_KEY_RETENTION_HOURS", default=24, min_value=1)

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

# --- Browsers: Content-Security-Policy, front ends on other origins (docs/auth.md) ------
# Scripts and styles load only from this site (or the CDN in STATIC_URL); an inline one
# runs only with the nonce of its response (csp_nonce in templates), so injected markup cannot.
_static = urlsplit(STATIC_URL)
_ASSETS: list[str] = [CSP.SELF, f"{_static.scheme}://{_static.netloc}"] if _static.netloc else [CSP.SELF]
_SOCIAL_LOGIN_ORIGINS = {"github": "https://github.com", "google": "https://accounts.google.com"}
_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [*_ASSETS, CSP.NONCE],
    "style-src": [*_ASSETS, CSP.NONCE],
    "img-src": [*_ASSETS, "data:"],
    "font-src": _ASSETS,
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # Browsers check a form's redirects too: "Sign in with ..." posts here, then goes to the provider.
    "form-action": [CSP.SELF, *(_SOCIAL_LOGIN_ORIGINS[name] for name in SOCIALACCOUNT_PROVIDERS)]
    # Billing's forms post here, then go to Stripe Checkout or the Customer Portal.
    + (["https://checkout.stripe.com", "https://billing.stripe.com"] if BILLING_ENABLED else []),
}
CSP_REPORT_URI = env.url("CSP_REPORT_URI", default="", schemes=("https", "http"))
if CSP_REPORT_URI:
    _CSP["report-uri"] = [CSP_REPORT_URI]
# Report-only while trying out a change to the policy: violations are reported, nothing is blocked.
CSP_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)
SECURE_CSP = {} if CSP_REPORT_ONLY else _CSP
SECURE_CSP_REPORT_ONLY = _CSP if CSP_REPORT_ONLY else {}

# A single-page app on another origin (e.g. https://app.example.com) calling /_allauth/ and
# /api/ with the user's cookies: list its origin here. It is trusted for CSRF too.
CORS_ALLOWED_ORIGINS = env.origins("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/(_allauth|api)/"
CORS_ALLOW_HEADERS = (*default_headers, "idempotency-key", "x-session-token", "x-password-reset-key", "x-request-id")
CORS_EXPOSE_HEADERS = ("X-Request-ID", "Retry-After", "Idempotent-Replayed")
CSRF_TRUSTED_ORIGINS = [*CSRF_TRUSTED_ORIGINS, *(o for o in CORS_ALLOWED_ORIGINS if o not in CSRF_TRUSTED_ORIGINS)]
# The SPA reads the CSRF cookie to send it back (X-CSRFToken): on app.example.com calling
# api.example.com, set CSRF_COOKIE_DOMAIN=example.com. Unset: the cookie belongs to this host only.
SESSION_COOKIE_DOMAIN = env.str("SESSION_COOKIE_DOMAIN", default="") or None
CSRF_COOKIE_DOMAIN = env.str("CSRF_COOKIE_DOMAIN", default="") or None
# Lax suits this site and front ends on the same site (subdomains). None sends the cookies to
# another site's front end; browsers accept it only with Secure (https), so None turns Secure on.
SESSION_COOKIE_SAMESITE = env.choice("SESSION_COOKIE_SAMESITE", ("Lax", "Strict", "None"), default="Lax")
CSRF_COOKIE_SAMESITE = env.choice("CSRF_COOKIE_SAMESITE", ("Lax", "Strict", "None"), default="Lax")
SESSION_COOKIE_SECURE = SESSION_COOKIE_SAMESITE == "None"
CSRF_COOKIE_SECURE = CSRF_COOKIE_SAMESITE == "None"
# A refused CSRF check answers JSON under /_allauth/ (allauth's shape) and /api/ (the API's), a page elsewhere.
CSRF_FAILURE_VIEW = "{{ cookiecutter.project_slug }}.api.csrf.csrf_failure"

# --- Logging ----------------------------------------------------------------
# Every line carries the request id; production writes one JSON object a line.

LOG_LEVEL = env.choice("LOG_LEVEL", ("INFO", "DEBUG", "WARNING", "ERROR"), default="INFO")
LOG_FORMAT = env.choice("LOG_FORMAT", ("text", "json"), default="text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "{{ cookiecutter.project_slug }}.core.observability.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"},
        "json": {"()": "{{ cookiecutter.project_slug }}.core.observability.logging.JsonFormatter"},
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

# --- Media storage, scheduler, metrics, traces ------------------------------
# Media goes to an S3-API bucket when MEDIA_BUCKET is set (required in
# production): objects are private and every URL is signed and expires.
# Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or a workload identity), never from settings.

MEDIA_BUCKET = env.str("MEDIA_BUCKET", default="")
MEDIA_STORAGE: dict[str, Any] = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": MEDIA_BUCKET,
        "endpoint_url": env.url("MEDIA_ENDPOINT_URL", default="", schemes=("https", "http")) or None,
        "region_name": env.str("MEDIA_REGION", default="") or None,
        "default_acl": None,  # objects inherit the bucket's policy: private
        "querystring_auth": True,  # signed URLs
        "querystring_expire": env.int("MEDIA_URL_EXPIRY", default=3600, min_value=60, max_value=7 * 24 * 3600),
        "file_overwrite": False,
        "signature_version": "s3v4",
        "addressing_style": {"auto": None, "path": "path", "virtual": "virtual"}[
            env.choice("MEDIA_ADDRESSING_STYLE", ("auto", "path", "virtual"), default="auto")
        ],
    },
}
if MEDIA_BUCKET:
    STORAGES["default"] = MEDIA_STORAGE

# /metrics (and the job worker's metrics server) answer only with this bearer token.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="", min_length=32)

# OpenTelemetry traces are off until an OTLP/HTTP endpoint is set (a collector).
OTEL_EXPORTER_OTLP_ENDPOINT = env.url("OTEL_EXPORTER_OTLP_ENDPOINT", default="", schemes=("http", "https"))
OTEL_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default="{{ cookiecutter.project_slug }}")
OTEL_TRACES_SAMPLE_PERCENT = env.int("OTEL_TRACES_SAMPLE_PERCENT", default=100, min_value=0, max_value=100)
SENTRY_SAMPLE_PERCENT = env.int("SENTRY_SAMPLE_PERCENT", default=100, min_value=0, max_value=100)
