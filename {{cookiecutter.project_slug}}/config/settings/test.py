"""Settings for the test suite: real Postgres and Redis when DATABASE_URL and REDIS_URL are set."""

import os

from .base import *  # noqa: F403
from .base import CACHES, DATABASE_REPLICAS, DATABASES, DRAMATIQ_BROKER, REDIS_URL, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="test-only-secret-key-with-enough-length-to-pass-checks")

# Fast hashing: tests create many users; Argon2 is covered by its own test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Several test runs may share one Redis: keep their keys and queues apart.
_RUN = f"test-{os.getpid()}"
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = _RUN
    DRAMATIQ_BROKER["OPTIONS"]["namespace"] = _RUN
else:
    # Tests drive the stub broker's worker themselves (see tests/conftest.py).
    DRAMATIQ_BROKER["MIDDLEWARE"] = [m for m in DRAMATIQ_BROKER["MIDDLEWARE"] if not m.endswith("InProcessWorker")]

# A replica serves the primary's test database: streaming replication copies it there.
for _alias in DATABASE_REPLICAS:
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}

WHITENOISE_AUTOREFRESH = True  # serve static files from the apps, as locally; no collectstatic

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

env.check()
