"""A real browser (headless Chromium driven by Playwright) against Django's live test server.

The browser is the one installed on the machine (CHROMIUM_EXECUTABLE, or
`chromium` on the PATH): these tests download nothing. Without one they are
left out (deselected) with how to install it; with TESTS_REQUIRE_ALL=1 the run stops instead.

Every test's browser is watched: a Content-Security-Policy violation, an
uncaught script error or an error in the console fails the test, unless the
test said it expects that message (``browser.expect_console(...)``).
"""

import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.components import chromium_path, missing_message
from tests.conftest import missing

# Playwright's sync API runs an event loop in this thread; Django then refuses
# database calls from it unless told that this test code is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# A busy CI machine may take longer than Playwright's 5 s to draw a page; a broken page never draws.
expect.set_options(timeout=20_000)

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Chromium logs a blocked resource, inline script or style in the console; the listener
# catches what it might not (report-only policies, violations inside workers' pages).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""


def launch(playwright: Playwright, *extra_args: str) -> Browser:
    """A headless Chromium; ``extra_args`` for tests that need more (such as host name rules)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=[*ARGS, *extra_args], headless=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not chromium_path():
        pytest.skip(missing_message("no browser:", {"chromium": missing()["chromium"]}))
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = launch(playwright)
    yield browser
    browser.close()


class WatchedBrowser:
    """A browser whose contexts record CSP violations, uncaught errors and console errors."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.problems: list[str] = []
        self.expected: list[re.Pattern[str]] = []
        self.contexts: list[BrowserContext] = []

    def expect_console(self, pattern: str) -> None:
        """Let console errors matching ``pattern`` (a regular expression) through: the test asserts them itself."""
        self.expected.append(re.compile(pattern))

    def new_context(self, **options: Any) -> BrowserContext:
        context = self.browser.new_context(**options)
        self.watch(context)
        return context

    def new_page(self, **options: Any) -> Page:
        return self.new_context(**options).new_page()

    def watch(self, context: BrowserContext) -> None:
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"uncaught: {error.error}"))
        self.contexts.append(context)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(p.search(message.text) for p in self.expected):
            self.problems.append(f"console error on {message.location.get('url', '?')}: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Error):  # closed by the test already
                context.close()


@pytest.fixture
def browser(chromium: Browser) -> Iterator[WatchedBrowser]:
    watched = WatchedBrowser(chromium)
    yield watched
    watched.close()
    assert not watched.problems, "the browser reported:\n" + "\n".join(watched.problems)


@pytest.fixture(autouse=True)
def _webauthn_on_plain_http_localhost(settings):
    # The live server speaks http://localhost; browsers treat it as a secure context.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
