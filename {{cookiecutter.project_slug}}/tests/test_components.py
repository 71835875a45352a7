"""Before any test runs, the suite names what this machine lacks and how to install or start each piece."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

# Tests that need Postgres, PgBouncer, Chromium, a replica and RabbitMQ.
NEEDING_ALL = [
    "tests/core/test_pgbouncer.py",
    "tests/e2e/test_browser.py",
    "tests/core/test_replicas.py",
    "tests/core/test_brokers.py",
]


def suite_in_a_new_process(empty: Path, *args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """``pytest args`` in a new process: only ``environ``'s service variables, and an empty PATH."""
    dropped = ("DATABASE_", "REDIS_", "RABBITMQ_", "TESTS_", "CHROMIUM_", "PYTEST_")
    env = {name: value for name, value in os.environ.items() if not name.startswith(dropped)}
    env.update(PATH=str(empty), **environ)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603


def test_what_is_missing_or_silent_stops_the_run_with_how_to_install_or_start_each(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens on it
    result = suite_in_a_new_process(
        tmp_path,  # an empty folder: no pgbouncer, no chromium
        *NEEDING_ALL,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/nowhere",
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        TESTS_REQUIRE_ALL="1",
    )

    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert (
        "TESTS_REQUIRE_ALL=1 but these components are missing: postgres, redis, rabbitmq, replica, pgbouncer, "
        "chromium; no test was run." in result.stderr
    )
    for expected in [
        (
            f"      nothing answers at 127.0.0.1:{port} (DATABASE_URL): start it, or unset DATABASE_URL\n"
            "      Debian/Ubuntu:  sudo apt-get install postgresql && sudo systemctl start postgresql\n"
            "      macOS:          brew install postgresql@17 && brew services start postgresql@17"
        ),
        f"nothing answers at 127.0.0.1:{port} (REDIS_URL): start it, or unset REDIS_URL",
        "  - RabbitMQ, named by RABBITMQ_URL (amqp://guest:guest@127.0.0.1:5672/)\n      RABBITMQ_URL is not set",
        "  - a streaming replica of the database, named by DATABASE_REPLICA_URLS: docs/database.md shows how",
        (
            "  - the pgbouncer program\n      pgbouncer is not on PATH\n"
            "      Debian/Ubuntu:  sudo apt-get install pgbouncer\n      macOS:          brew install pgbouncer"
        ),
        "  - Chromium, for the browser tests",
        "Debian/Ubuntu:  sudo apt-get install chromium",
        "macOS:          brew install --cask chromium",
    ]:
        assert expected in result.stderr
    assert " passed" not in result.stdout
