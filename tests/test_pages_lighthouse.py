"""Every variation's main pages score 95 or more in every Lighthouse category, and none scrolls sideways on a phone.

Lighthouse 12.2.3 (tests/lighthouse, installed with npm ci) drives the machine's Chromium
against the project's development server, filled with sample data by scripts/_showcase.py;
signed-in pages are measured with the sample founder's session cookie. The same tour
checks that no page scrolls sideways at 360 px. A page gets up to three runs: Lighthouse's
performance score moves with the machine's load.

The default project is measured on every main page, on a phone and a desktop. The other
variations render the same templates: they are measured on a phone (the stricter preset)
on the pages their answers change: the custom answers' name and description stand in the
title, the meta description and the shell of every page (home, sign-in, dashboard), and
without the example the dashboard and the navigation lose its pages (home, dashboard).
Every variation's tour checks all its pages for sideways scrolling.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import _showcase
import pytest
from conftest import VARIATIONS, Project, assert_ok, bake, free_port, npm_ci

LIGHTHOUSE = Path(__file__).with_name("lighthouse")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = 0.95
RUNS = 3

pytestmark = [pytest.mark.slow, pytest.mark.needs("chromium", "node"), pytest.mark.xdist_group("pages")]


@pytest.fixture(scope="module")
def lighthouse() -> list[str]:
    """The Lighthouse command (tests/lighthouse, installed with ``npm ci`` once)."""
    if not shutil.which("chromium"):
        pytest.fail("Lighthouse needs chromium on the PATH")
    modules = npm_ci(LIGHTHOUSE)
    return [shutil.which("node") or "node", str(modules / "lighthouse" / "cli" / "index.js")]


# The pages Lighthouse measures in each variation (None: every main page), and at which widths.
MEASURED: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...]]] = {
    "default": (None, ("mobile", "desktop")),
    "custom": (("home", "sign-in", "dashboard"), ("mobile",)),
    "no-example": (("home", "dashboard"), ("mobile",)),
}


@pytest.fixture(scope="module", params=list(MEASURED))
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, dict]]:
    """Each variation's project, seeded and served once; yields its name, base URL and the tour's report."""
    variation = request.param
    path = bake(tmp_path_factory.mktemp("pages"), **VARIATIONS[variation])
    project = Project(path, variation)
    assert_ok(project.run("uv", "sync", "--frozen"))
    organization = _showcase.seed(path)
    with _showcase.serve(path, free_port()) as base:
        yield variation, base, _showcase.tour(path, base, organization, tmp_path_factory.mktemp("tour"), shots=False)


def scores(command: list[str], url: str, *, desktop: bool, cookie: str, out: Path) -> dict[str, float]:
    """Lighthouse's category scores (0 to 1) for one page."""
    report = out / "report.json"
    args = [
        url,
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        f"--only-categories={','.join(CATEGORIES)}",
    ]
    if desktop:
        args.append("--preset=desktop")
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**_showcase.project_env(), "CHROME_PATH": shutil.which("chromium") or "chromium"}
    for _ in range(RUNS):
        result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=240, env=env)
        # A trace Lighthouse failed to record (NO_NAVSTART and the like, under load) is its own fault, and its
        # message says to run it again; any other failure, such as a page that does not load, fails at once.
        if result.returncode == 0 or "Please run Lighthouse again" not in result.stderr:
            break
    assert result.returncode == 0, f"Lighthouse failed on {url}:\n{result.stderr[-3000:]}"
    categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name: categories[name]["score"] for name in CATEGORIES}


def best_of(measure: Callable[[], dict[str, float]], runs: int = RUNS) -> dict[str, float]:
    """Each category's best score over up to ``runs`` runs, stopping once every category passes.

    Lighthouse's performance score varies from run to run with the machine's load (its own docs
    advise several runs); a page that is slow by design fails every run.
    """
    best: dict[str, float] = {}
    for _ in range(runs):
        best = {name: max(score, best.get(name, 0.0)) for name, score in measure().items()}
        if min(best.values()) >= MINIMUM:
            break
    return best


def test_no_main_page_scrolls_sideways_on_a_phone(served):
    _, _, report = served
    assert report["pages"], "the tour visited no page"
    assert [name for name, page in report["pages"].items() if page["scrolls_sideways"]] == []


def test_main_pages_score_95_or_more_in_every_lighthouse_category(served, lighthouse, tmp_path):
    variation, base, report = served
    chosen, widths = MEASURED[variation]
    toured = {name.split("@")[0] for name in report["pages"]}
    assert toured, "the tour visited no page"
    assert chosen is None or set(chosen) <= toured, f"{chosen} are not all among the pages {toured}"
    low = {}
    for width in widths:
        for name, page in report["pages"].items():
            page_name = name.split("@")[0]
            if not name.endswith("@desktop") or (chosen is not None and page_name not in chosen):
                continue  # each page once (the width is Lighthouse's preset), and only the chosen ones
            signed_in = page["path"].startswith(("/orgs/", "/accounts/profile"))
            cookie = report["cookie"] if signed_in else ""
            measure = partial(
                scores, lighthouse, base + page["path"], desktop=width == "desktop", cookie=cookie, out=tmp_path
            )
            measured = best_of(measure)
            print(f"{variation} {width} {page_name}: {measured}")
            low.update({f"{page_name} {width} {category}": v for category, v in measured.items() if v < MINIMUM})
    assert low == {}
