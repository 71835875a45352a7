"""Settings for a developer's machine: debug on, mail to the console, the debug toolbar and browser reload."""

import importlib.util

from {{ cookiecutter.project_slug }}.core.observability.sentry import init_sentry

from .base import *  # noqa: F403
from .base import (
    INSTALLED_APPS,
    MIDDLEWARE,
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

# Development tools (docs/development.md), from the dev dependencies that the image leaves out: the debug
# toolbar (SQL queries, cache calls, templates and timings of each page) and a browser that reloads itself when
# code, a template or a static file changes. DJANGO_DEV_TOOLS=false shows the pages as users see them; they are
# off by default where they are not installed (the image that `docker compose up` runs with these settings).
DEV_TOOLS = env.bool("DJANGO_DEV_TOOLS", default=DEBUG and importlib.util.find_spec("debug_toolbar") is not None)
if DEV_TOOLS:
    INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar", "django_browser_reload"]
    # After the CSP middleware, so both tools find the request's nonce for the scripts they add.
    _after_csp = MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1
    MIDDLEWARE = [
        *MIDDLEWARE[:_after_csp],
        "debug_toolbar.middleware.DebugToolbarMiddleware",
        "django_browser_reload.middleware.BrowserReloadMiddleware",
        *MIDDLEWARE[_after_csp:],
    ]
    ROOT_URLCONF = "config.urls_local"
    INTERNAL_IPS = ["127.0.0.1", "::1"]  # the toolbar shows only to requests from this machine

env.check()
init_sentry(
    dsn=SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    release=SENTRY_RELEASE,
    sample_rate=SENTRY_SAMPLE_PERCENT / 100,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_PERCENT / 100,
)
