"""Settings for the test suite: real Postgres and Redis when DATABASE_URL and REDIS_URL are set."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHES, DATABASE_REPLICAS, DATABASES, DRAMATIQ_BROKER, INSTALLED_APPS, REDIS_URL, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="test-only-secret-key-with-enough-length-to-pass-checks")

# A small tenant resource the platform's own tests run on (tests/testapp), never the sample app.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]

# Fast hashing: tests create many users; Argon2 is covered by its own test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Several test runs may share one Redis: keep their keys and queues apart.
# A worker process started by a test passes the run's id on (TEST_RUN_ID) to share its queues.
_RUN = env.str("TEST_RUN_ID", default=f"test-{os.getpid()}")
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = _RUN
if "namespace" in DRAMATIQ_BROKER["OPTIONS"]:
    DRAMATIQ_BROKER["OPTIONS"]["namespace"] = _RUN
# Tests drive the worker themselves (see tests/conftest.py).
DRAMATIQ_BROKER["MIDDLEWARE"] = [m for m in DRAMATIQ_BROKER["MIDDLEWARE"] if not m.endswith("InProcessWorker")]

# Webhook receivers in tests listen on loopback, over plain http; retries come fast.
WEBHOOKS_REQUIRE_HTTPS = False
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
WEBHOOK_RETRY_MIN_BACKOFF_MS = 50
WEBHOOK_RETRY_MAX_BACKOFF_MS = 200

# A replica serves the primary's test database: streaming replication copies it there.
for _alias in DATABASE_REPLICAS:
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}

WHITENOISE_AUTOREFRESH = True  # serve static files from the apps, as locally; no collectstatic

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not shared-cache memory: threads (job workers, concurrency tests) then
    # wait for each other's locks instead of failing at once.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"{_RUN}.sqlite3")}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

env.check()
