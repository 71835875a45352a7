"""Social login providers are off until their credentials are in the environment."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings; "
    "print(sorted(settings.SOCIALACCOUNT_PROVIDERS)); "
    "print([a for a in settings.INSTALLED_APPS if '.providers.' in a])"
)


def settings_with(**environ: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_CLIENT_ID", "_CLIENT_SECRET"))}
    env.update(environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_no_provider_is_on_by_default():
    assert settings.SOCIALACCOUNT_PROVIDERS == {}
    assert not [app for app in settings.INSTALLED_APPS if ".providers." in app]


def test_github_and_google_switch_on_from_the_environment():
    output = settings_with(
        GITHUB_CLIENT_ID="gh-id", GITHUB_CLIENT_SECRET="gh-secret", GOOGLE_CLIENT_ID="g-id", GOOGLE_CLIENT_SECRET="g-s"
    )

    assert "['github', 'google']" in output
    assert "allauth.socialaccount.providers.github" in output
    assert "allauth.socialaccount.providers.google" in output


def test_a_client_id_without_its_secret_is_refused_by_name():
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_CLIENT_ID", "_CLIENT_SECRET"))}
    env.update(GITHUB_CLIENT_ID="gh-id", DJANGO_SETTINGS_MODULE="config.settings.test")

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 1
    assert "GITHUB_CLIENT_SECRET is required but not set" in result.stderr
