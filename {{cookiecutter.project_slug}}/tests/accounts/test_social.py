"""Social login providers are off until their credentials are in the environment."""

from django.conf import settings

from tests.helpers import manage, read_settings

PROVIDERS = ("GITHUB_", "GOOGLE_")
SHOW = (
    "from django.conf import settings; "
    "print(sorted(settings.SOCIALACCOUNT_PROVIDERS)); "
    "print([a for a in settings.INSTALLED_APPS if '.providers.' in a])"
)


def settings_with(**environ: str) -> str:
    result = read_settings(SHOW, drop=PROVIDERS, DJANGO_SETTINGS_MODULE="config.settings.test", **environ)
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
    result = manage("check", drop=PROVIDERS, GITHUB_CLIENT_ID="gh-id", DJANGO_SETTINGS_MODULE="config.settings.test")

    assert result.returncode == 1
    assert "GITHUB_CLIENT_SECRET is required but not set" in result.stderr
