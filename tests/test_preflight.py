"""The README's commands provide what they need, or stop before any work naming what is missing.

``python3 scripts/test.py`` runs here as a user would run it, with programs hidden from it by a PATH made of
links to every other program on this machine's PATH.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, free_port

SUITE_IN_FULL_MODE = "test_its_suite_passes_against_postgres_and_redis"  # needs the services, PgBouncer, Chromium
HIDDEN = {"pgbouncer", "chromium", "chromium-browser"}


def path_without(folder: Path, hidden: set[str]) -> str:
    """A PATH holding links to every program this PATH finds (the sbin folders beside its bin folders too),
    except ``hidden``."""
    folder.mkdir()
    path = [Path(entry) for entry in os.environ["PATH"].split(os.pathsep) if entry]
    path += [entry.parent / "sbin" for entry in path if entry.name == "bin"]
    for entry in path:
        for program in sorted(entry.glob("*")) if entry.is_dir() else []:
            link = folder / program.name
            if program.name in hidden or link.is_symlink() or not program.is_file():
                continue
            if os.access(program, os.X_OK):
                link.symlink_to(program)
    return str(folder)


def run_tests_command(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python3 scripts/test.py args`` in this checkout, with this test run's own settings left out."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "RUNWAY_PREFLIGHT", "RUNWAY_NO_INSTALL")) and name != "CHROMIUM_EXECUTABLE"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "scripts/test.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def said(result: subprocess.CompletedProcess[str]) -> list[str]:
    """What scripts/test.py itself printed (its lines start with ``runway:``)."""
    return [line for line in result.stderr.splitlines() if line.startswith("runway:")]


def preflight_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line the preflight prints when it lets the tests run."""
    [line] = [line for line in said(result) if line.startswith("runway: preflight:")]
    return line


def test_missing_pgbouncer_and_chromium_that_it_may_not_install_stop_it_before_any_test_with_how_to_install_them(
    tmp_path,
):
    result = run_tests_command(
        "-k", SUITE_IN_FULL_MODE, PATH=path_without(tmp_path / "bin", HIDDEN), RUNWAY_NO_INSTALL="1"
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "test session starts" not in result.stdout, "no test may run"
    assert "runway: error: the selected tests need what this machine lacks; no test was run." in said(result)
    message = result.stderr
    assert "PgBouncer (the pgbouncer program)" in message
    assert "Debian/Ubuntu:  sudo apt-get install pgbouncer" in message
    assert "macOS:          brew install pgbouncer" in message
    assert "Chromium, for the generated project's browser tests" in message
    assert "Debian/Ubuntu:  sudo apt-get install chromium" in message
    assert "macOS:          brew install --cask chromium" in message
    assert message.count("not installed, and RUNWAY_NO_INSTALL=1 forbids installing it") == 2


def test_the_fast_tests_demand_no_service_and_neither_pgbouncer_nor_chromium(tmp_path):
    nowhere = free_port()  # nothing listens there: every service is "down"
    result = run_tests_command(
        "-m",
        "not slow",
        "--collect-only",
        "-q",
        PATH=path_without(tmp_path / "bin", HIDDEN),
        RUNWAY_NO_INSTALL="1",
        RUNWAY_TEST_DATABASE_URL=f"postgres://postgres@127.0.0.1:{nowhere}",
        RUNWAY_TEST_REDIS_URL=f"redis://127.0.0.1:{nowhere}",
        RUNWAY_TEST_RABBITMQ_URL=f"amqp://guest:guest@127.0.0.1:{nowhere}/",
        RUNWAY_TEST_REPLICA_URL=f"postgres://runway_reader@127.0.0.1:{nowhere}",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert preflight_line(result).startswith("runway: preflight: ready: Node.js, kubectl, git (")
    assert " tests collected" in result.stdout


@pytest.mark.slow
@pytest.mark.needs("pgbouncer", "chromium")
def test_with_everything_present_it_says_one_line_and_hands_over_to_pytest(services):
    result = run_tests_command("-k", SUITE_IN_FULL_MODE, "--collect-only", "-q")

    assert result.returncode == 0, result.stdout + result.stderr
    assert preflight_line(result).startswith(
        "runway: preflight: ready: Postgres, Redis, RabbitMQ, the replica, PgBouncer, Chromium ("
    )
    assert "1/" in result.stdout, "the selected test (the default answers' full-mode suite), collected by pytest"
    assert " tests collected" in result.stdout


@pytest.mark.slow
def test_without_apt_get_it_cannot_install_pgbouncer_and_chromium_and_says_so_before_any_test(services, tmp_path):
    result = run_tests_command("-k", SUITE_IN_FULL_MODE, PATH=path_without(tmp_path / "bin", HIDDEN | {"apt-get"}))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "test session starts" not in result.stdout
    assert result.stderr.count("not installed, and apt-get is not on PATH to install it") == 2
    assert "sudo apt-get install pgbouncer" in result.stderr
    assert "sudo apt-get install chromium" in result.stderr


def test_the_demo_command_stops_before_baking_when_its_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = tmp_path / "demo"
        result = subprocess.run(
            [sys.executable, "scripts/demo.py", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "RUNWAY_DEMO_DIR": str(demo)},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 1
    assert f"runway: error: port {port} on 127.0.0.1 is in use" in result.stderr
    assert not demo.exists(), "nothing was generated"
