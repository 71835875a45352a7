"""Production: the base settings with stricter defaults and required services.

Nothing here exists only in production; every value is read in base.py and
only tightened here. A missing or invalid variable stops every entry point
(``manage.py check``, the web server, the worker) with a message naming it.
"""

from {{ cookiecutter.project_slug }}.core.observability.sentry import init_sentry

from .base import *  # noqa: F403
from .base import (
    LOGGING,
    MAILERS,
    SENTRY_DSN,
    SENTRY_RELEASE,
    SENTRY_SAMPLE_PERCENT,
    SENTRY_TRACES_SAMPLE_PERCENT,
    STORAGES,
    env,
)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", min_length=50)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["{{ cookiecutter.domain_name }}"])

# Full mode is required: no SQLite, no local-memory cache, no in-process worker.
env.database("DATABASE_URL")
env.url("REDIS_URL", schemes=("redis", "rediss"))

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365, min_value=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

LOG_FORMAT = env.choice("LOG_FORMAT", ("json", "text"), default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT

MAILERS["delivery"] = env.mailer("EMAIL_URL", schemes=("smtp", "smtps"))
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")

# Stateless processes: media in the bucket (base.py switches to it), static files
# compiled into the image and served by WhiteNoise (behind a CDN when STATIC_URL is one).
env.str("MEDIA_BUCKET")
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

env.check()
init_sentry(
    dsn=SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    release=SENTRY_RELEASE,
    sample_rate=SENTRY_SAMPLE_PERCENT / 100,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_PERCENT / 100,
)
