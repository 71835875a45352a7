"""The settings a browser-facing deployment sets (docs/auth.md) are read from the environment and checked."""

import json
from typing import Any

from django.utils.csp import CSP

from tests.helpers import manage, read_settings

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name) for name in ["
    "'CORS_ALLOWED_ORIGINS', 'CSRF_TRUSTED_ORIGINS', 'SESSION_COOKIE_DOMAIN', 'CSRF_COOKIE_DOMAIN', "
    "'SESSION_COOKIE_SAMESITE', 'SESSION_COOKIE_SECURE', 'HEADLESS_FRONTEND_URLS', 'SECURE_CSP', "
    "'SECURE_CSP_REPORT_ONLY']}))"
)

# Every URL allauth asks a front end for, by the variable that sets it.
FRONTEND_URLS = {
    "FRONTEND_URL_CONFIRM_EMAIL": ("account_confirm_email", "https://app.example.com/verify/{key}"),
    "FRONTEND_URL_REQUEST_PASSWORD_RESET": ("account_reset_password", "https://app.example.com/password/reset"),
    "FRONTEND_URL_RESET_PASSWORD": ("account_reset_password_from_key", "https://app.example.com/password/reset/{key}"),
    "FRONTEND_URL_SIGNUP": ("account_signup", "https://app.example.com/signup"),
    "FRONTEND_URL_SOCIAL_LOGIN_ERROR": ("socialaccount_login_error", "https://app.example.com/login/error"),
}


def settings_with(**environ: str) -> dict[str, Any]:
    result = read_settings(SHOW, drop=("DJANGO_", "CORS_", "CSRF_", "SESSION_", "FRONTEND_", "CSP_"), **environ)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_an_spa_on_another_origin_is_configured_from_the_environment():
    found = settings_with(
        CORS_ALLOWED_ORIGINS="https://app.example.com,http://localhost:5173",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://example.com",
        SESSION_COOKIE_DOMAIN="example.com",
        CSRF_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_SAMESITE="None",
        CSP_REPORT_ONLY="true",
        CSP_REPORT_URI="https://o1.ingest.sentry.io/api/1/security/?sentry_key=k",
        **{variable: url for variable, (_, url) in FRONTEND_URLS.items()},
    )

    assert found["CORS_ALLOWED_ORIGINS"] == ["https://app.example.com", "http://localhost:5173"]
    # An origin allowed to call with the user's cookies is trusted to post too.
    assert found["CSRF_TRUSTED_ORIGINS"] == ["https://example.com", "https://app.example.com", "http://localhost:5173"]
    assert found["SESSION_COOKIE_DOMAIN"] == found["CSRF_COOKIE_DOMAIN"] == "example.com"
    assert found["SESSION_COOKIE_SAMESITE"] == "None"
    assert found["SESSION_COOKIE_SECURE"] is True  # browsers drop SameSite=None cookies without Secure
    assert found["HEADLESS_FRONTEND_URLS"] == dict(FRONTEND_URLS.values())
    # Trying a change of the policy: reported, not enforced.
    assert found["SECURE_CSP"] == {}
    assert found["SECURE_CSP_REPORT_ONLY"]["report-uri"] == ["https://o1.ingest.sentry.io/api/1/security/?sentry_key=k"]


def test_by_default_nothing_is_open_to_other_origins_and_the_policy_is_enforced(settings):
    assert settings.CORS_ALLOWED_ORIGINS == []
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.HEADLESS_FRONTEND_URLS == {}
    assert settings.SECURE_CSP["script-src"] == [CSP.SELF, CSP.NONCE]
    assert settings.SECURE_CSP_REPORT_ONLY == {}


def test_a_wrong_value_is_named_at_start_up():
    result = manage(
        "check",
        drop=("CORS_", "FRONTEND_", "SESSION_"),
        CORS_ALLOWED_ORIGINS="https://app.example.com/",
        FRONTEND_URL_CONFIRM_EMAIL="https://app.example.com/verify",
        SESSION_COOKIE_SAMESITE="none",
    )

    assert result.returncode == 1
    assert "CORS_ALLOWED_ORIGINS 'https://app.example.com/' is not an origin" in result.stderr
    assert "FRONTEND_URL_CONFIRM_EMAIL must contain {key}" in result.stderr
    assert "SESSION_COOKIE_SAMESITE must be one of Lax, Strict, None" in result.stderr
