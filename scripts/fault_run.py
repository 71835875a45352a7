"""Faults under load: the production command keeps answering and loses nothing.

    python3 scripts/fault_run.py [--clients 4] [--json FILE]

Bakes the default project, installs it from its lock and runs what production runs: the
release step, gunicorn with config/gunicorn.py and production settings (two sync
workers), the Dramatiq worker (manage.py rundramatiq) and the scheduler (manage.py
crontab). Every server is the run's own, started on free loopback ports in a temporary
folder and stopped at the end: a Postgres cluster (initdb, pg_ctl) with a streaming
replica (pg_basebackup), and a Redis with an append-only file, which is the cache and the
job broker (JOBS_BROKER_URL defaults to REDIS_URL, as in production). The web processes
sit behind a small front (scripts/_front.py) that plays the Kubernetes Service.

Client threads read and create projects through the API with an API key while the run
injects, one at a time: worker recycling at a small WEB_MAX_REQUESTS; a rolling update
(a new web process is ready, the front stops sending to the old one, the old one gets
SIGTERM after a short preStop pause); a Postgres restart; a Redis restart; the replica
stopped and started; a job worker killed with SIGKILL while jobs are queued and running;
the broker (Redis) restarted with jobs queued. For each it prints the requests failed, the
longest time with no completed request, the acknowledged writes lost (every create
answered 201 must be in the database afterwards), the jobs lost or whose effect happened
twice, and the time back to full throughput; then whether each meets its target.

The jobs are a countable test actor added to the baked project (an idempotent actor of
core.jobs.actors that inserts one row per run of its body). Exit status 1 when a target is
missed; the slow test tests/test_fault_run.py runs this script. Needs the Postgres server
programs and redis-server (python3 scripts/test.py provides them); about 3 minutes.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from _bootstrap import ROOT, bake_default, fail, find_uv, say, sync_tools, tool_environment
from _preflight import find_program, postgres_bindir

HOST = "app.example.com"
DATABASE = "faultrun"
SETTINGS = "config.settings.faultrun"
BASELINE = 3.0  # seconds of load before each fault
AFTER = 5.0  # seconds of load after each fault
WINDOW, STEP = 2.0, 0.5  # throughput after a fault: windows of 2 s, starting every 0.5 s
FULL = 0.75  # a window at this share of the pre-fault rate counts as full throughput
PRESTOP = 1.0  # the rolling update's preStop pause (the Deployment's is 5 s)
RECYCLE_AFTER = 60  # WEB_MAX_REQUESTS in the recycling phase (half again as jitter)
JOBS, JOB_SECONDS = 80, 0.3  # jobs per job phase, each holding its transaction this long (2 worker threads)
TARGETS = {  # the targets; every fault: 0 writes lost, 0 jobs lost or twice
    "recycling": {"failed_share": 0.0, "gap": 1.0},
    "rollout": {"failed_share": 0.0, "gap": 1.0},
    "postgres": {"failed_share": 0.001, "recovery": 5.0},
    "redis": {"failed_share": 0.001, "recovery": 5.0},
}

# Added to the baked project: production settings plus one app holding the countable job.
FAULTRUN_SETTINGS = """from .production import *  # noqa: F403
from .production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "faultrun"]
"""
FAULTRUN_TASKS = """import time

from django.db import connection

from acme_cloud.core.jobs.actors import actor


@actor(max_retries=10, min_backoff=200, max_backoff=2000, idempotency_key=lambda key, pause: f"faultrun:{key}")
def faultrun_effect(key: str, pause: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO faultrun_effect (key) VALUES (%s)", [key])
    time.sleep(pause)  # inside the job's transaction: a kill here rolls the insert back
"""
SEED = """
import json
from acme_cloud.accounts.models import User
from acme_cloud.organizations import keys, services

user = User.objects.create_user(email="faultrun@example.com", password="faultrun-password-123")
organization = services.organization_create(name="Fault run", owner=user)
_, api_key = keys.api_key_create(
    organization=organization, actor=user, name="faultrun", scopes=["projects.view", "projects.edit"],
    expires_in_days=None,
)
print(json.dumps({"organization": str(organization.public_id), "api_key": api_key}))
"""
ENQUEUE = """
from acme_cloud.core.jobs.sending import send_or_keep
from faultrun.tasks import faultrun_effect
for number in range({count}):
    send_or_keep(faultrun_effect, "{prefix}-" + str(number), {pause})
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(0.1)


def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, seconds: float = 30) -> None:
    """Signal a process started in its own session (with its children), and wait for it."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- The servers: a private Postgres with a replica, a private Redis ------------------------------------------


class Postgres:
    """A Postgres cluster of the run's own (initdb), its streaming replica, on free loopback ports.

    As root the server programs run as the postgres user (initdb refuses root)."""

    def __init__(self, folder: Path, bindir: Path) -> None:
        self.folder, self.bindir = folder, bindir
        self.port, self.replica_port = free_port(), free_port()
        self.owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.owner:
            shutil.chown(folder, "postgres")

    def run(self, program: str, *args: str, seconds: float = 120) -> str:
        command = [*self.owner, str(self.bindir / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=seconds, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def ctl(self, data: str, action: str, port: int) -> None:
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}"
        folder = str(self.folder / data)
        self.run("pg_ctl", "-D", folder, "-l", f"{folder}.log", "-o", options, "-m", "fast", "-w", "-t", "60", action)

    def sql(self, statement: str, port: int | None = None, database: str = DATABASE) -> str:
        where = ["-h", "127.0.0.1", "-p", str(port or self.port), "-U", "postgres", "-d", database]
        return self.run("psql", *where, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement, seconds=30)

    def start(self) -> None:
        self.run(
            "initdb", "-D", str(self.folder / "primary"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        self.ctl("primary", "start", self.port)
        self.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        self.sql("CREATE TABLE faultrun_effect (key text NOT NULL, done_at timestamptz NOT NULL DEFAULT now())")
        replica = str(self.folder / "replica")
        source = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        self.run("pg_basebackup", *source, "-D", replica, "-R", "-c", "fast")  # -c fast: no wait for a checkpoint
        self.ctl("replica", "start", self.replica_port)
        streaming = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
        wait_until(lambda: self.sql(streaming, database="postgres").strip() == "1", 30, "the replica to stream")

    def stop(self) -> None:
        for data in ("replica", "primary"):
            if (self.folder / data / "postmaster.pid").exists():
                with suppress(RuntimeError, subprocess.TimeoutExpired):
                    self.ctl(data, "stop", self.replica_port if data == "replica" else self.port)


class Redis:
    """A redis-server of the run's own with an append-only file: a restart keeps the queued jobs."""

    def __init__(self, folder: Path, program: str) -> None:
        self.folder, self.program, self.port = folder, program, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        options = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder), "--save", ""]
        options += ["--appendonly", "yes", "--appendfsync", "everysec", "--daemonize", "no"]
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [self.program, *options], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(self.answers, 15, "Redis to answer")

    def answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def describe(self) -> str:
        """The job broker's keys and their sizes (what holds a job that did not run)."""
        cli = [str(Path(self.program).with_name("redis-cli")), "-p", str(self.port)]
        keys = subprocess.run([*cli, "--scan"], capture_output=True, text=True, timeout=10).stdout.split()
        sizes = []
        for key in sorted(keys):
            kind = subprocess.run([*cli, "type", key], capture_output=True, text=True, timeout=10).stdout.strip()
            size = {"list": "llen", "hash": "hlen", "set": "scard", "zset": "zcard"}.get(kind)
            if size and "jobs" in key:
                count = subprocess.run([*cli, size, key], capture_output=True, text=True, timeout=10).stdout.strip()
                sizes.append(f"{key}={count}")
        return " ".join(sizes)

    def stop(self) -> None:
        """SIGTERM: Redis writes its append-only file out and exits, as in a managed restart."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None


# --- The application: the release step, web processes behind the front, the worker, the scheduler ------------


@dataclass
class App:
    """The baked project served by its production command, on the run's servers."""

    project: Path
    folder: Path
    env: dict[str, str]
    front_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    generation: int = 0

    @classmethod
    def configure(cls, project: Path, folder: Path, base: dict[str, str], postgres: Postgres, redis: Redis) -> App:
        (project / "config/settings/faultrun.py").write_text(FAULTRUN_SETTINGS, encoding="utf-8")
        (project / "faultrun").mkdir(exist_ok=True)
        (project / "faultrun/__init__.py").write_text("", encoding="utf-8")
        (project / "faultrun/tasks.py").write_text(FAULTRUN_TASKS, encoding="utf-8")
        dropped = ("DATABASE_", "REDIS_", "DJANGO_", "JOBS_", "VIRTUAL_ENV", "PROMETHEUS_", "WEB_", "PYTHON")
        env = {name: value for name, value in base.items() if not name.startswith(dropped)}
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            DJANGO_SECRET_KEY="faultrun-" + "k" * 60,
            DJANGO_ALLOWED_HOSTS=HOST,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{postgres.port}/{DATABASE}",
            DATABASE_REPLICA_URLS=f"postgres://postgres@127.0.0.1:{postgres.replica_port}/{DATABASE}",
            REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
            EMAIL_URL=f"smtp://127.0.0.1:{free_port()}",  # nothing listens: no mail leaves the machine
            MEDIA_BUCKET="faultrun-media",  # required by production settings; nothing is stored
            API_RATE_LIMIT_KEY="1000000000",  # counted, never reached
            HOST="127.0.0.1",
            WEB_CONCURRENCY="2",
            # A killed worker's messages are handed over after 3 s instead of 60 s, so the phase stays short.
            JOBS_HEARTBEAT_TIMEOUT_MS="3000",
            JOBS_MAINTENANCE_CHANCE="1000000",
        )
        (project / "staticfiles").mkdir(exist_ok=True)
        return cls(project, folder, env)

    def manage(self, *args: str, seconds: float = 300) -> str:
        command = [str(self.project / ".venv/bin/python"), "manage.py", *args]
        result = subprocess.run(
            command, cwd=self.project, env=self.env, capture_output=True, text=True, timeout=seconds
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
        return result.stdout

    def release(self) -> dict[str, str]:
        """Migrate and collect static files (the image build), then an organization and an API key for the load."""
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        return json.loads(self.manage("shell", "-c", SEED).strip().splitlines()[-1])

    def spawn(self, name: str, command: list[str], **extra: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=self.project,
                env={**self.env, **extra},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def start_web(self, **extra: str) -> tuple[str, int]:
        """A new web process (the production command) on its own port; waits until /readyz answers 200."""
        self.generation += 1
        name, port = f"web-{self.generation}", free_port()
        metrics = self.folder / f"{name}-metrics"
        command = [str(self.project / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py"]
        process = self.spawn(name, command, PORT=str(port), PROMETHEUS_MULTIPROC_DIR=str(metrics), **extra)

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.log_tail(name)}")
            with suppress(OSError):
                return request(port, "GET", "/readyz", {})[0] == 200
            return False

        wait_until(ready, 60, f"{name} to be ready")
        return name, port

    def route_to(self, *ports: int) -> None:
        """Point the front at these web processes only (atomically, as an endpoints update)."""
        backends = self.folder / "backends"
        staged = self.folder / "backends.new"
        staged.write_text("".join(f"{port}\n" for port in ports), encoding="utf-8")
        staged.replace(backends)

    def start_front(self, port: int) -> None:
        self.route_to(port)
        self.spawn(
            "front",
            [sys.executable, str(ROOT / "scripts/_front.py"), str(self.front_port), str(self.folder / "backends")],
        )

    def start_worker(self) -> None:
        self.generation += 1
        command = [
            str(self.project / ".venv/bin/python"),
            "manage.py",
            "rundramatiq",
            "--processes",
            "1",
            "--threads",
            "2",
        ]
        metrics = {"METRICS_HOST": "127.0.0.1", "METRICS_PORT": str(free_port())}
        self.spawn(
            "worker", command, PROMETHEUS_MULTIPROC_DIR=str(self.folder / f"worker-{self.generation}"), **metrics
        )

    def start_scheduler(self) -> None:
        self.spawn("scheduler", [str(self.project / ".venv/bin/python"), "manage.py", "crontab"])

    def enqueue(self, prefix: str, count: int, pause: float) -> list[str]:
        self.manage("shell", "-c", ENQUEUE.format(prefix=prefix, count=count, pause=pause))
        return [f"{prefix}-{number}" for number in range(count)]

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.folder / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes.values():
            stop_process(process)


def request(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, "X-Forwarded-Proto": "https", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- Load and what it saw ---------------------------------------------------------------------------------------


class Load:
    """Client threads, each reading the project list and creating a project (one in three) through the front."""

    def __init__(self, port: int, seed: dict[str, str], clients: int) -> None:
        self.port, self.clients = port, clients
        self.path = f"/api/v2/organizations/{seed['organization']}/projects/"
        self.headers = {"Authorization": f"Bearer {seed['api_key']}", "Content-Type": "application/json"}
        self.events: list[tuple[float, float, bool, str]] = []  # (sent at, completed at, as expected, what)
        self.created: list[tuple[float, str]] = []  # (answered at, public id) of every create answered 201
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.client, args=(index,), daemon=True) for index in range(clients)]

    def client(self, index: int) -> None:
        number = 0
        while not self.stopping.is_set():
            number += 1
            create = number % 3 == 0
            body = json.dumps({"name": f"Fault run {index}-{number}"}).encode() if create else None
            sent = time.monotonic()
            try:
                status, answer = request(self.port, "POST" if create else "GET", self.path, self.headers, body)
            except (OSError, http.client.HTTPException) as error:
                status, answer = 0, f"{type(error).__name__}: {error}".encode()
            done = time.monotonic()
            ok = status == (201 if create else 200)
            if ok and create:
                self.created.append((done, json.loads(answer)["id"]))
            what = f"{'POST' if create else 'GET'} {status} after {done - sent:.1f} s: {answer[:200]!r}"
            self.events.append((sent, done, ok, what))
            if not ok:
                time.sleep(0.1)  # a client that failed waits a moment, as a real one would

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)


@dataclass
class Phase:
    name: str
    label: str
    start: float = 0.0
    fault_start: float = 0.0
    fault_end: float = 0.0
    end: float = 0.0
    jobs: tuple[int, int, int] | None = None  # (enqueued, lost, effect twice)
    note: str = ""


@contextmanager
def phase(phases: list[Phase], name: str, label: str) -> Iterator[Phase]:
    """Load before the fault (BASELINE), the fault (the body), load after it (AFTER)."""
    current = Phase(name, label, start=time.monotonic())
    say(f"fault: {label}")
    time.sleep(BASELINE)
    current.fault_start = time.monotonic()
    yield current
    current.fault_end = time.monotonic()
    time.sleep(AFTER)
    current.end = time.monotonic()
    phases.append(current)


def recovery(phase_: Phase, ok_times: list[float]) -> float | None:
    """Seconds from the fault's start to the first WINDOW after it whose rate is FULL of the rate before it;
    None when no such window fits in the phase."""
    baseline = sum(phase_.start <= at < phase_.fault_start for at in ok_times) / (phase_.fault_start - phase_.start)
    start = phase_.fault_start
    while start + WINDOW <= phase_.end:
        if sum(start <= at < start + WINDOW for at in ok_times) >= FULL * baseline * WINDOW:
            return round(start - phase_.fault_start, 2)
        start += STEP
    return None


def figures(phase_: Phase, load: Load, stored: set[str]) -> dict[str, object]:
    """What the load saw during one phase."""
    events = [event for event in load.events if phase_.start <= event[0] < phase_.end]  # sent in the phase
    ok_times = sorted(done for _, done, ok, _ in events if ok)
    gaps = [later - earlier for earlier, later in itertools.pairwise(ok_times)]
    acknowledged = [public_id for at, public_id in load.created if phase_.start <= at < phase_.end]
    failures = [what for _, _, ok, what in events if not ok]
    enqueued, jobs_lost, jobs_twice = phase_.jobs or (0, 0, 0)
    return {
        "fault": phase_.name,
        "label": phase_.label,
        "requests": len(events),
        "failed": len(failures),
        "failures": sorted(set(failures))[:5],
        "longest_gap": round(max(gaps, default=phase_.end - phase_.start), 3),
        "writes_acknowledged": len(acknowledged),
        "writes_lost": sum(public_id not in stored for public_id in acknowledged),
        "jobs": enqueued,
        "jobs_lost": jobs_lost,
        "jobs_twice": jobs_twice,
        "recovery": recovery(phase_, ok_times),
        "fault_seconds": round(phase_.fault_end - phase_.fault_start, 2),
        "note": phase_.note,
    }


def misses(row: dict[str, object]) -> list[str]:
    """The targets this phase missed."""
    missed = [
        f"{row[name]} {name.replace('_', ' ')}" for name in ("writes_lost", "jobs_lost", "jobs_twice") if row[name]
    ]
    target = TARGETS.get(str(row["fault"]), {})
    requests = int(row["requests"])
    if requests == 0:
        missed.append("no request completed")
    elif int(row["failed"]) / requests > target.get("failed_share", 1.0):
        missed.append(f"{row['failed']} failed requests")
    if float(row["longest_gap"]) > target.get("gap", float("inf")):
        missed.append(f"a gap of {row['longest_gap']} s")
    if "recovery" in target and (row["recovery"] is None or float(row["recovery"]) > target["recovery"]):
        missed.append("throughput not back within 5 s")
    return missed


# --- The faults --------------------------------------------------------------------------------------------------


def effects(postgres: Postgres, keys: list[str]) -> tuple[int, int]:
    """(jobs whose effect is missing, jobs whose effect happened more than once) among ``keys``."""
    prefix = keys[0].rsplit("-", 1)[0]
    rows = postgres.sql(f"SELECT key, count(*) FROM faultrun_effect WHERE key LIKE '{prefix}-%' GROUP BY key")
    counts = dict(line.split("|") for line in rows.split())
    return sum(key not in counts for key in keys), sum(int(counts.get(key, 0)) > 1 for key in keys)


def settle_jobs(postgres: Postgres, keys: list[str], seconds: float = 60) -> tuple[int, int, int]:
    """Wait (bounded) for every job's effect; then (enqueued, lost, twice)."""
    with suppress(RuntimeError):
        wait_until(lambda: effects(postgres, keys)[0] == 0, seconds, "every job's effect")
    time.sleep(1)  # a duplicate that is still running shows up
    return (len(keys), *effects(postgres, keys))


def recycling(app: App, phases: list[Phase]) -> None:
    recycled = "Autorestarting worker"
    before = app.log_tail("web-1", 100000).count(recycled)
    with phase(phases, "recycling", f"2. gunicorn workers recycled (WEB_MAX_REQUESTS={RECYCLE_AFTER})") as current:
        pass  # web-1 runs with a small WEB_MAX_REQUESTS: its workers recycle all through the phase
    current.note = f"{app.log_tail('web-1', 100000).count(recycled) - before} recycles"


def rollout(app: App, phases: list[Phase]) -> None:
    # The new process boots and is ready first (maxUnavailable 0). Here it boots before the phase: on one
    # machine its start takes CPU from the serving process, which a pod on another node does not.
    old = app.processes["web-1"]
    _, port = app.start_web()
    with phase(phases, "rollout", "3. rolling update: new web ready, old one SIGTERM") as current:
        app.route_to(port)  # the old pod leaves the Service's endpoints
        time.sleep(PRESTOP)
        old.send_signal(signal.SIGTERM)  # to the master only, as the kubelet does to PID 1
        old.wait(timeout=40)
        current.note = f"old web exited with {old.returncode}"


def restart_postgres(app: App, postgres: Postgres, phases: list[Phase]) -> None:
    with phase(phases, "postgres", "1. Postgres primary restarted (pg_ctl restart -m fast)"):
        postgres.ctl("primary", "restart", postgres.port)


def restart_redis(redis: Redis, phases: list[Phase]) -> None:
    with phase(phases, "redis", "4. Redis restarted (cache and job broker)"):
        redis.stop()
        redis.start()


def restart_replica(postgres: Postgres, phases: list[Phase]) -> None:
    with phase(phases, "replica", "5. replica stopped, started 2 s later"):
        postgres.ctl("replica", "stop", postgres.replica_port)
        time.sleep(2)
        postgres.ctl("replica", "start", postgres.replica_port)


def kill_worker(app: App, postgres: Postgres, redis: Redis, phases: list[Phase]) -> None:
    keys = app.enqueue("kill", JOBS, JOB_SECONDS)
    wait_until(lambda: effects(postgres, keys)[0] <= JOBS - 5, 30, "the worker to run five jobs")
    with phase(phases, "worker-kill", "6a. job worker SIGKILLed, jobs queued and running") as current:
        outstanding = effects(postgres, keys)[0]
        stop_process(app.processes["worker"], signal.SIGKILL)
        app.start_worker()
        current.jobs = settle_jobs(postgres, keys)
    current.note = f"{outstanding} of {JOBS} jobs not done at the kill"
    if current.jobs[1]:
        current.note += f"; broker keys: {redis.describe()}"


def restart_broker(app: App, postgres: Postgres, redis: Redis, phases: list[Phase]) -> None:
    keys = app.enqueue("broker", JOBS, JOB_SECONDS)
    wait_until(lambda: effects(postgres, keys)[0] <= JOBS - 5, 30, "the worker to run five jobs")
    with phase(phases, "broker", "6b. broker (Redis) restarted, jobs queued") as current:
        outstanding = effects(postgres, keys)[0]
        redis.stop()
        redis.start()
        current.jobs = settle_jobs(postgres, keys)
    current.note = f"{outstanding} of {JOBS} jobs not done at the restart"
    if current.jobs[1]:
        current.note += f"; broker keys: {redis.describe()}"


def run_faults(app: App, postgres: Postgres, redis: Redis, load: Load) -> list[Phase]:
    phases: list[Phase] = []
    time.sleep(2)  # warm every worker
    recycling(app, phases)
    rollout(app, phases)
    restart_postgres(app, postgres, phases)
    restart_redis(redis, phases)
    restart_replica(postgres, phases)
    kill_worker(app, postgres, redis, phases)
    restart_broker(app, postgres, redis, phases)
    return phases


# --- The run -----------------------------------------------------------------------------------------------------


def servers(folder: Path, env: dict[str, str]) -> tuple[Postgres, Redis]:
    bindir = postgres_bindir(env)
    redis_server = find_program("redis-server", env)
    if bindir is None or redis_server is None:
        fail("the fault run needs the Postgres server programs and redis-server (scripts/test.py installs them)")
    return Postgres(Path(tempfile.mkdtemp(prefix="runway-fault-pg-")), bindir), Redis(folder, redis_server)


def serve(app: App) -> dict[str, str]:
    say("release step, then web, worker and scheduler")
    seed = app.release()
    _, port = app.start_web(WEB_MAX_REQUESTS=str(RECYCLE_AFTER))
    app.start_front(port)
    app.start_worker()
    app.start_scheduler()
    return seed


def stored_projects(postgres: Postgres) -> set[str]:
    return set(postgres.sql("SELECT public_id FROM projects_project").split())


def still_running(app: App) -> list[str]:
    """The processes that died during the run (each should still be serving)."""
    current = {"front", "worker", "scheduler", f"web-{max(int(n[4:]) for n in app.processes if n.startswith('web-'))}"}
    return [name for name in sorted(current) if app.processes[name].poll() is not None]


def keep_logs(folders: list[Path], keep: Path | None) -> None:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        for log in (log for folder in folders for log in folder.glob("*.log")):
            shutil.copy(log, keep / log.name)


def measure(app: App, postgres: Postgres, redis: Redis, clients: int) -> tuple[list[dict[str, object]], list[str]]:
    """Serve, load, inject the faults; then the figures of each phase and the processes that died."""
    seed = serve(app)
    with Load(app.front_port, seed, clients) as load:
        phases = run_faults(app, postgres, redis, load)
    time.sleep(1)
    died = still_running(app)
    stored = stored_projects(postgres)
    return [figures(current, load, stored) for current in phases], died


def run(clients: int, keep: Path | None) -> tuple[list[dict[str, object]], list[str]]:
    env = tool_environment()
    uv = find_uv()
    tools = sync_tools(uv, env)
    with tempfile.TemporaryDirectory(prefix="runway-fault-") as tmp:
        folder = Path(tmp)
        say("baking and installing the default project")
        project = bake_default(str(folder / "bake"), env, uv, tools, "--no-dev")
        postgres, redis = servers(folder, env)
        app: App | None = None
        try:
            say(f"starting a private Postgres (127.0.0.1:{postgres.port}), its replica and Redis")
            postgres.start()
            redis.start()
            app = App.configure(project, folder, env, postgres, redis)
            return measure(app, postgres, redis, clients)
        except BaseException:
            for name in app.processes if app else ():
                print(f"--- {name}.log\n{app.log_tail(name)}", file=sys.stderr)
            raise
        finally:
            if app is not None:
                app.stop()
            redis.stop()
            postgres.stop()
            keep_logs([folder, postgres.folder], keep)
            shutil.rmtree(postgres.folder, ignore_errors=True)


def show(rows: list[dict[str, object]], died: list[str]) -> list[str]:
    """Print the table; return the missed targets."""
    print("\nfault                                                   requests failed  longest gap  writes lost"
          "  jobs lost/twice  back to full  target")  # fmt: skip
    missed: list[str] = []
    for row in rows:
        miss = misses(row)
        missed += [f"{row['fault']}: {what}" for what in miss]
        jobs = f"{row['jobs_lost']}/{row['jobs_twice']} of {row['jobs']}" if row["jobs"] else "-"
        back = "not in phase" if row["recovery"] is None else f"{row['recovery']:.1f} s"
        print(
            f"{row['label']:<55} {row['requests']:>8} {row['failed']:>6} {row['longest_gap']:>10.2f} s"
            f" {row['writes_lost']:>3} of {row['writes_acknowledged']:<4} {jobs:>16} {back:>13}"
            f"  {'met' if not miss else 'MISSED'}{'  (' + str(row['note']) + ')' if row['note'] else ''}"
        )
        for failure in row["failures"]:
            print(f"      failed: {failure}")
    missed += [f"{name} exited during the run" for name in died]
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4, choices=range(1, 17), metavar="1-16")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep-logs", type=Path, help="copy every server's log into this folder")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    started = time.monotonic()
    rows, died = run(args.clients, args.keep_logs)
    missed = show(rows, died)
    print(f"\n{args.clients} clients; the whole run took {time.monotonic() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "died": died, "missed": missed}, indent=2), encoding="utf-8")
    for what in missed:
        print(f"MISSED: {what}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
