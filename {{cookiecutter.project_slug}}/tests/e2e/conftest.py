"""A real browser (headless Chromium driven by Playwright) against Django's live test server.

The browser is the one installed on the machine (CHROMIUM_EXECUTABLE, or
`chromium` on the PATH): these tests download nothing. Without one they are
skipped with a reason; the template's CI installs Chromium and fails on any skip.
"""

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django then refuses
# database calls from it unless told that this test code is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_EXECUTABLE") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if not executable:
        pytest.skip("no Chromium installed: set CHROMIUM_EXECUTABLE or install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _webauthn_on_plain_http_localhost(settings):
    # The live server speaks http://localhost; browsers treat it as a secure context.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
