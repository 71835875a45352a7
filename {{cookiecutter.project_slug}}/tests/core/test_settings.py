"""Production settings refuse to start without what production needs."""

import subprocess
from pathlib import Path

import pytest

from tests.helpers import manage as run_manage
from tests.helpers import read_settings

ROOT = Path(__file__).resolve().parents[2]

COMPLETE = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "prod-Qm3vX9tLr2Zw8KpN4sYh7JcB1dGf6TaE5uWo0iRkHnMx-secret-key",
    "DJANGO_ALLOWED_HOSTS": "app.example.com",
    "DATABASE_URL": "postgres://app@127.0.0.1:5432/app",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587?tls=true",
    "MEDIA_BUCKET": "app-media",
}

ONLY_GIVEN = ("DJANGO_", "DATABASE_", "REDIS_", "SENTRY_", "EMAIL_", "MEDIA_")


def manage(*args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """manage.py with only the settings this test gives (the local .env still loads, overridden by these)."""
    return run_manage(*args, drop=ONLY_GIVEN, **environ)


def settings_only(code: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """Code reading the settings made from only these variables, in a new process that loads no app."""
    return read_settings(code, drop=ONLY_GIVEN, **environ)


def test_production_check_names_every_missing_variable():
    # An empty value counts as unset, and the real environment beats the local .env file.
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY="")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "DJANGO_SECRET_KEY is required but not set" in result.stderr
    assert "DATABASE_URL is required but not set" in result.stderr
    assert "REDIS_URL is required but not set" in result.stderr
    assert "EMAIL_URL is required but not set" in result.stderr
    assert "MEDIA_BUCKET is required but not set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be true or false"),
        ("DJANGO_SECRET_KEY", "too-short", "DJANGO_SECRET_KEY must be at least 50 characters long"),
        ("DATABASE_URL", "sqlite:///db.sqlite3", "DATABASE_URL must be a URL starting with postgres://"),
        ("DATABASE_POOL_MAX_SIZE", "0", "DATABASE_POOL_MAX_SIZE must be at least 1, got 0"),
        ("MEDIA_ENDPOINT_URL", "minio:9000", "MEDIA_ENDPOINT_URL must be a URL starting with https:// or http://"),
        ("METRICS_TOKEN", "short", "METRICS_TOKEN must be at least 32 characters long"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT must be a URL starting with"),
        ("OTEL_TRACES_SAMPLE_PERCENT", "150", "OTEL_TRACES_SAMPLE_PERCENT must be at most 100, got 150"),
    ],
)
def test_production_check_names_an_invalid_variable(name, value, problem):
    result = manage("check", **{**COMPLETE, name: value})

    assert result.returncode == 1
    assert problem in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **COMPLETE)

    assert result.returncode == 0, result.stderr
