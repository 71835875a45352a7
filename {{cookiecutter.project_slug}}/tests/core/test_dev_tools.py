"""The debug toolbar and browser reload: on in local settings with DEBUG, never in production settings."""

import json

import pytest

from .test_settings import COMPLETE, manage, settings_only

TOOLS = ("debug_toolbar", "django_browser_reload")
SHOW = (
    "import json; from django.conf import settings; "
    "print(json.dumps([settings.INSTALLED_APPS, settings.MIDDLEWARE, settings.ROOT_URLCONF]))"
)
# A page as the developer's browser asks for it, through the local settings' middleware and URLs.
PAGE = (
    "import json; from django.test import Client; "
    "response = Client(HTTP_HOST='localhost', REMOTE_ADDR='127.0.0.1').get('/'); "
    "print(json.dumps([response.status_code, response.content.decode()]))"
)


def settings_of(**environ: str) -> tuple[list[str], list[str], str]:
    result = settings_only(SHOW, **environ)
    assert result.returncode == 0, result.stderr
    apps, middleware, urlconf = json.loads(result.stdout.strip().splitlines()[-1])
    return apps, middleware, urlconf


def named(names: list[str]) -> list[str]:
    return [name for name in names if name.startswith(TOOLS)]


def test_production_settings_hold_neither_tool():
    apps, middleware, urlconf = settings_of(**{**COMPLETE, "DJANGO_DEBUG": "true"})

    assert named(apps) == []
    assert named(middleware) == []
    assert urlconf == "config.urls"


def test_local_settings_hold_both_tools_while_debug_is_on():
    apps, middleware, urlconf = settings_of(DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="true")

    assert named(apps) == list(TOOLS)
    assert named(middleware) == [
        "debug_toolbar.middleware.DebugToolbarMiddleware",
        "django_browser_reload.middleware.BrowserReloadMiddleware",
    ]
    assert middleware.index(named(middleware)[0]) > middleware.index(
        "django.middleware.csp.ContentSecurityPolicyMiddleware"
    )
    assert urlconf == "config.urls_local"


@pytest.mark.parametrize("environ", [{"DJANGO_DEBUG": "false"}, {"DJANGO_DEV_TOOLS": "false"}])
def test_local_settings_leave_them_out_with_debug_off_or_when_asked(environ):
    apps, middleware, urlconf = settings_of(DJANGO_SETTINGS_MODULE="config.settings.local", **environ)

    assert named(apps) == []
    assert named(middleware) == []
    assert urlconf == "config.urls"


def test_a_local_page_carries_the_toolbar_and_the_reload_script():
    result = manage(
        "shell", "--no-imports", "-c", PAGE, DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    status, page = json.loads(result.stdout.strip().splitlines()[-1])

    assert status == 200
    assert 'id="djDebug"' in page
    assert 'data-events-path="/__reload__/events/"' in page
