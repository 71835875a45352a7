"""Settings for a developer's machine: debug on, mail to the console."""

from {{ cookiecutter.project_slug }}.core.sentry import init_sentry

from .base import *  # noqa: F403
from .base import (
    SENTRY_DSN,
    SENTRY_ENVIRONMENT,
    SENTRY_RELEASE,
    SENTRY_SAMPLE_PERCENT,
    SENTRY_TRACES_SAMPLE_PERCENT,
    env,
)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# post_gen_project writes a real key to .env; this fallback only serves a checkout without one.
# A developer's own receiver usually runs on this machine, over plain http.
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=False)
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-local-only-key-never-use-in-production")

env.check()
init_sentry(
    dsn=SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    release=SENTRY_RELEASE,
    sample_rate=SENTRY_SAMPLE_PERCENT / 100,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_PERCENT / 100,
)
