"""Visit every main page of a served project in Chromium: sign in, measure, and optionally screenshot.

    python _tour.py <base url> <organization public id> <output folder> [--shots] [--without-example]

Runs with the baked project's Python (Playwright is a dev dependency there) and the
machine's Chromium. Each page is seen at desktop and phone width in the light theme, and
at desktop width in the dark one (the pages follow the system's setting). Prints JSON: for
each page and view, whether it scrolls sideways, plus the signed-in session cookie (for Lighthouse).
"""

import json
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

EMAIL = "founder@example.com"
PASSWORD = "correct-horse-battery-staple"
WIDTHS = {"desktop": (1280, 800), "phone": (360, 740)}
# (view name, width, colour scheme): the name ends the report's key and the screenshot's file name.
VIEWS = [("desktop", "desktop", "light"), ("phone", "phone", "light"), ("desktop-dark", "desktop", "dark")]


EXAMPLE_PAGES = {"projects", "project-form"}  # the worked example's; a project baked without it has none


def pages(organization: str, *, example: bool = True) -> list[tuple[str, str, bool]]:
    """(name, path, signed in) of the main pages."""
    org = f"/orgs/{organization}"
    found = [
        ("home", "/", False),
        ("sign-in", "/accounts/login/", False),
        ("sign-up", "/accounts/signup/", False),
        ("dashboard", f"{org}/", True),
        ("projects", f"{org}/projects/", True),
        ("project-form", f"{org}/projects/new/", True),
        ("members", f"{org}/members/", True),
        ("invitations", f"{org}/invitations/", True),
        ("api-keys", f"{org}/api-keys/", True),
        ("webhooks", f"{org}/webhooks/", True),
        ("billing", f"{org}/billing/", True),
        ("account", "/accounts/profile/", True),
    ]
    return [page for page in found if example or page[0] not in EXAMPLE_PAGES]


def main() -> None:
    base, organization, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    shots = "--shots" in sys.argv[4:]
    example = "--without-example" not in sys.argv[4:]
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {"pages": {}, "cookie": ""}
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        signed_out = browser.new_context()
        signed_in = browser.new_context()
        page = signed_in.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_login", EMAIL)
        page.fill("#id_password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        report["cookie"] = "; ".join(f"{c['name']}={c['value']}" for c in signed_in.cookies())
        for name, path, needs_user in pages(organization, example=example):
            page = (signed_in if needs_user else signed_out).new_page()
            for view, width_name, scheme in VIEWS:
                width, height = WIDTHS[width_name]
                page.set_viewport_size({"width": width, "height": height})
                page.emulate_media(color_scheme=scheme)
                page.goto(f"{base}{path}")
                sideways = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
                report["pages"][f"{name}@{view}"] = {"path": path, "scrolls_sideways": sideways}
                if shots:
                    page.screenshot(path=str(out / f"{name}-{view}.png"), full_page=True)
            page.close()
        browser.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
