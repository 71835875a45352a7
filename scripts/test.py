"""Run the template's whole test suite.

    python3 scripts/test.py [pytest arguments]

Installs the template's tools from uv.lock into .venv, then runs pytest in
parallel: the fast tests (hooks, rendering) and the slow ones, which bake every
variation, install it with ``uv sync --frozen`` and run its linters, type
checker, Django checks and its own suite against Postgres and Redis
(RUNWAY_TEST_DATABASE_URL, RUNWAY_TEST_REDIS_URL; default: the local servers).
``-m "not slow"`` runs only the fast tests.
"""

from __future__ import annotations

import subprocess
import sys

from _bootstrap import ROOT, find_uv, sync_tools, tool_environment


def main() -> int:
    uv = find_uv()
    env = tool_environment()
    tools = sync_tools(uv, env)
    command = [str(tools / "python"), "-m", "pytest", "-n", "auto", "--dist", "loadgroup", *sys.argv[1:]]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
