"""What the suite needs beyond its packages, how it finds each piece, and how to say what is missing.

Tests marked ``services``, ``postgres``, ``replica``, ``pgbouncer``, ``rabbitmq`` and ``e2e`` (Chromium) need the
components in ``NEEDED_BY``; conftest.py leaves them out (deselects them) when one is absent and prints what is
missing and how to get it. With ``TESTS_REQUIRE_ALL=1`` (CI) a missing component stops the run before any test
instead, and so does a server that a variable names but that does not answer.
"""

import os
import shutil
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Component:
    what: str
    debian: str
    macos: str


COMPONENTS = {
    "postgres": Component(
        "Postgres, named by DATABASE_URL (postgres://postgres@127.0.0.1:5432/{{ cookiecutter.project_slug }})",
        "sudo apt-get install postgresql && sudo systemctl start postgresql",
        "brew install postgresql@17 && brew services start postgresql@17",
    ),
    "redis": Component(
        "Redis, named by REDIS_URL (redis://127.0.0.1:6379/0)",
        "sudo apt-get install redis-server && sudo systemctl start redis-server",
        "brew install redis && brew services start redis",
    ),
    "rabbitmq": Component(
        "RabbitMQ, named by RABBITMQ_URL (amqp://guest:guest@127.0.0.1:5672/)",
        "sudo apt-get install rabbitmq-server && sudo systemctl start rabbitmq-server",
        "brew install rabbitmq && brew services start rabbitmq",
    ),
    "replica": Component(
        "a streaming replica of the database, named by DATABASE_REPLICA_URLS: docs/database.md shows how to make "
        'one on your machine ("A replica for the tests")',
        "sudo apt-get install postgresql, then pg_basebackup -R as docs/database.md shows",
        "brew install postgresql@17, then pg_basebackup -R as docs/database.md shows",
    ),
    "pgbouncer": Component(
        "the pgbouncer program",
        "sudo apt-get install pgbouncer",
        "brew install pgbouncer",
    ),
    "chromium": Component(
        "Chromium, for the browser tests (or CHROMIUM_EXECUTABLE naming a Chromium or Chrome)",
        "sudo apt-get install chromium   (Ubuntu: sudo snap install chromium)",
        "brew install --cask chromium",
    ),
}
# The components the tests with each marker need.
NEEDED_BY = {
    "services": ("postgres", "redis"),
    "postgres": ("postgres",),
    "replica": ("replica",),
    "pgbouncer": ("postgres", "pgbouncer"),
    "rabbitmq": ("rabbitmq",),
    "e2e": ("chromium",),
}


@dataclass(frozen=True)
class Missing:
    why: str
    named: bool = False  # a variable names it, yet it does not answer: its tests would fail, not be left out


def find_program(name: str) -> str | None:
    """``name`` on PATH, or in the sbin folder beside a bin folder on it (Debian installs pgbouncer in /usr/sbin,
    which is not on a normal user's PATH)."""
    folders = [Path(folder) for folder in os.environ.get("PATH", os.defpath).split(os.pathsep) if folder]
    folders += [folder.parent / "sbin" for folder in folders if folder.name == "bin"]
    return shutil.which(name, path=os.pathsep.join(str(folder) for folder in folders))


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_EXECUTABLE") or find_program("chromium") or find_program("chromium-browser")


def _silent(variable: str, host: str, port: int) -> Missing | None:
    """Why the server at host:port (named by ``variable``) is missing, or None when it answers."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError:
        return Missing(f"nothing answers at {host}:{port} ({variable}): start it, or unset {variable}", named=True)


def _database(variable: str, database: Mapping[str, Any]) -> Missing | None:
    host = str(database.get("HOST") or "")
    if not host or host.startswith("/"):
        return None  # a Unix socket: psycopg says clearly if it is absent
    return _silent(variable, host, int(database.get("PORT") or 5432))


def _url(variable: str, url: str, port: int) -> Missing | None:
    parts = urlsplit(url)
    return _silent(variable, parts.hostname or "127.0.0.1", parts.port or port)


def missing_components(settings: Any) -> dict[str, Missing]:
    """Each component that is not configured, not installed, or not answering, with why."""
    found: dict[str, Missing | None] = {}
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("postgresql"):
        found["postgres"] = _database("DATABASE_URL", default)
    else:
        found["postgres"] = Missing("DATABASE_URL is not set")
    redis = settings.REDIS_URL
    found["redis"] = _url("REDIS_URL", redis, 6379) if redis else Missing("REDIS_URL is not set")
    rabbitmq = os.environ.get("RABBITMQ_URL")
    found["rabbitmq"] = _url("RABBITMQ_URL", rabbitmq, 5672) if rabbitmq else Missing("RABBITMQ_URL is not set")
    replicas = [_database("DATABASE_REPLICA_URLS", settings.DATABASES[alias]) for alias in settings.DATABASE_REPLICAS]
    if not settings.DATABASE_REPLICAS:
        found["replica"] = Missing("DATABASE_REPLICA_URLS is not set")
    else:
        found["replica"] = next((silent for silent in replicas if silent), None)
    found["pgbouncer"] = None if find_program("pgbouncer") else Missing("pgbouncer is not on PATH")
    if not chromium_path():
        found["chromium"] = Missing("no chromium or chromium-browser on PATH, and CHROMIUM_EXECUTABLE is not set")
    return {name: missing for name, missing in found.items() if missing}


def missing_message(heading: str, missing: Mapping[str, Missing]) -> str:
    """``heading``, then each missing component: why, and the commands that install (and start) it."""
    lines = [heading]
    for name, why in missing.items():
        component = COMPONENTS[name]
        lines += [
            f"  - {component.what}",
            f"      {why.why}",
            f"      Debian/Ubuntu:  {component.debian}",
            f"      macOS:          {component.macos}",
        ]
    return "\n".join(lines)
