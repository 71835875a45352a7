"""Helpers for browser tests of pages: a tour at phone and desktop widths, light and dark, with axe; signing in."""

from typing import Literal

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize, expect

from tests.factories import PASSWORD

WIDTHS: dict[str, ViewportSize] = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
SERIOUS = {"serious", "critical"}
AXE = Axe()


def problems_on(page: Page, url: str) -> list[str]:
    """What is wrong with the page at ``url`` at the current width: sideways scroll, axe findings."""
    response = page.goto(url)
    assert response is not None
    assert response.status < 400, f"{url} answered {response.status}"
    found = []
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        found.append(f"{url}: scrolls sideways at {page.viewport_size}")
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"]][:3]
            width = page.viewport_size["width"] if page.viewport_size else "?"
            found.append(f"{url} at {width}px: {violation['id']} ({violation['impact']}) {targets}")
    return found


# Both widths in the light theme, and the phone in the dark one (the system's setting picks it).
PASSES: list[tuple[str, Literal["light", "dark"]]] = [("phone", "light"), ("desktop", "light"), ("phone", "dark")]


def tour(page: Page, base: str, paths: list[str]) -> list[str]:
    found = []
    for width, scheme in PASSES:
        page.set_viewport_size(WIDTHS[width])
        page.emulate_media(color_scheme=scheme)
        for path in paths:
            found += [f"{problem} ({scheme})" for problem in problems_on(page, f"{base}{path}")]
    return found


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("header .menu")).to_be_visible()
