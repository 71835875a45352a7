"""Error reporting to Sentry, with the Django, Redis and Dramatiq integrations."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.dramatiq import DramatiqIntegration
from sentry_sdk.integrations.redis import RedisIntegration


def init_sentry(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float, sample_rate: float = 1.0
) -> None:
    """Start reporting; call from settings so the Dramatiq broker is patched before it is built."""
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), RedisIntegration(), DramatiqIntegration()],
        sample_rate=sample_rate,
        traces_sample_rate=traces_sample_rate,
        # No personal data (user emails, IP addresses, bodies) leaves by default.
    )
