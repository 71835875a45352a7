"""Run the template's whole test suite.

    python3 scripts/test.py [pytest arguments]

Installs the template's tools from uv.lock into .venv, then provides what the
selected tests need from this machine (scripts/_preflight.py: starts Postgres,
Redis and RabbitMQ when they are down, installs PgBouncer and Chromium when it
may, makes or reuses the streaming replica), or stops before any test with one
message naming what is missing and how to install it. Then runs pytest in
parallel: the fast tests (hooks, rendering) and the slow ones, which bake every
variation, install it with ``uv sync --frozen`` and run its linters, type
checker, Django checks and its own suite against Postgres and Redis
(RUNWAY_TEST_DATABASE_URL, RUNWAY_TEST_REDIS_URL; default: the local servers).
``-m "not slow"`` runs only the fast tests, which need no service.
"""

from __future__ import annotations

import subprocess
import sys

from _bootstrap import ROOT, find_uv, sync_tools, tool_environment
from _preflight import preflight


def main() -> int:
    uv = find_uv()
    env = tool_environment()
    tools = sync_tools(uv, env)
    python = str(tools / "python")
    preflight(python, sys.argv[1:], env)
    # Groups in collection order, which tests/conftest.py sorts longest first.
    command = [python, "-m", "pytest", "-n", "auto", "--dist", "loadgroup", "--no-loadscope-reorder", *sys.argv[1:]]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
