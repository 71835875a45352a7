"""Screenshots of the generated project's main pages, light and dark, desktop and phone, into docs/screenshots/.

    python3 scripts/screenshots.py [--port 8765]

Bakes the default project into .runway/screenshots/ (replaced on every run), installs
it from its uv.lock, fills it with sample data (a founder, an organization with a
teammate, an API key, a webhook endpoint, an open invitation, sample projects), serves it on loopback and
photographs each page with the machine's Chromium: at desktop and phone width in the light
theme, at desktop width in the dark one (docs/pages.md shows them). Needs uv
(installed if missing) and Chromium on the PATH; no service.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

import _showcase
from _bootstrap import ROOT, STATE, fail, find_uv, say, sync_tools, tool_environment
from _preflight import require_free_port

OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, got {args.port}")
    if not shutil.which("chromium"):
        fail("Chromium is needed on the PATH (sudo apt-get install chromium)")
    require_free_port(args.port)
    uv, env = find_uv(), tool_environment()
    tools = sync_tools(uv, env)
    workdir = STATE / "screenshots"
    say(f"generating the default project into {workdir}")
    shutil.rmtree(workdir, ignore_errors=True)
    subprocess.run([str(tools / "cookiecutter"), "--no-input", "-o", str(workdir), str(ROOT)], env=env, check=True)
    project = workdir / "acme_cloud"
    subprocess.run([uv, "sync", "--frozen", "--quiet"], cwd=project, env=_showcase.project_env(env), check=True)
    organization = _showcase.seed(project)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    with _showcase.serve(project, args.port) as base:
        report = _showcase.tour(project, base, organization, OUT, shots=True)
    wide = [name for name, page in report["pages"].items() if page["scrolls_sideways"]]
    say(f"wrote {len(list(OUT.glob('*.png')))} screenshots into {OUT.relative_to(ROOT)}")
    if wide:
        say(f"these pages scroll sideways: {json.dumps(wide)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
