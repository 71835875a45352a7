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
(RUNWAY_TEST_DATABASE_URL, RUNWAY_TEST_REDIS_URL; default: the local servers);
then, one at a time on the quiet machine, the tests that load it to measure it
(marked ``alone``: the fault run, whose targets are times).
``-m "not slow"`` runs only the fast tests, which need no service.
"""

from __future__ import annotations

import subprocess
import sys

from _bootstrap import ROOT, find_uv, sync_tools, tool_environment
from _preflight import preflight

NO_TESTS = 5  # pytest's exit code when a selection holds no test


def main() -> int:
    uv = find_uv()
    env = tool_environment()
    env.pop("RUNWAY_PHASE", None)  # set below for each phase; the preflight asks what every selected test needs
    tools = sync_tools(uv, env)
    python = str(tools / "python")
    preflight(python, sys.argv[1:], env)
    # First every test but those that load the machine to measure it, in parallel: groups in collection order,
    # which tests/conftest.py sorts longest first. Then those (marked ``alone``), one at a time on the quiet machine.
    parallel = [python, "-m", "pytest", "-n", "auto", "--dist", "loadgroup", "--no-loadscope-reorder", *sys.argv[1:]]
    first = subprocess.call(parallel, cwd=ROOT, env={**env, "RUNWAY_PHASE": "parallel"})
    then = subprocess.call([python, "-m", "pytest", *sys.argv[1:]], cwd=ROOT, env={**env, "RUNWAY_PHASE": "alone"})
    return combined(first, then)


def combined(*codes: int) -> int:
    """One exit code for the phases: a failure wins; a phase that selected nothing (5) is fine if another ran."""
    ran = [code for code in codes if code != NO_TESTS]
    return max(ran, default=NO_TESTS)


if __name__ == "__main__":
    sys.exit(main())
