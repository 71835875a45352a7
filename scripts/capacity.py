"""Capacity of one box: the load profile against the production command, in rising steps of users.

    python3 scripts/capacity.py [--step 60] [--steps 10] [--hold 30] [--think-time 1-5] [--first USERS]

Bakes the default project, installs it from its lock, makes its own database and
Redis keys, migrates it and runs ``manage.py loadtest_setup``; then serves it as
production does: ``gunicorn -c config/gunicorn.py`` (its own settings: workers,
preloading, recycling) with production settings (the sign-in limit per address
raised out of reach: every simulated user signs in from one address), reached on loopback with the
site's Host header and ``X-Forwarded-Proto: https`` as its TLS proxy sends, and
the Dramatiq job worker, which delivers the profile's webhook test events to a
receiver on loopback. Where ``taskset`` exists, gunicorn and its workers are
pinned to one core and the job worker and Locust to the others, so the figure is
per core (Postgres and Redis are the machine's own servers, unpinned); without
it, the figure is for the whole machine, load generator included.

Locust (the project's ``loadtest`` group) runs loadtests/locustfile.py headless
with a step shape (scripts/_capacity_shape.py): each step adds ``--step`` users
(the first starts ``--first``, by default as many), waits until they have signed
in, and measures ``--hold`` seconds. The run stops after the first
step whose p99 is above 500 ms or whose failures are above 1% (the objectives
of the generated deploy/monitoring alerts), and prints a line per step and the
result: the requests per second of the last step within both objectives, and
the users that represents at the profile's pace as measured. Only loopback;
everything it starts is stopped, and its database dropped, on exit or failure.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from _bootstrap import CHECKOUT, bake_default, fail, find_uv, migrate_new_database, say, sync_tools, tool_environment
from _loadtest import LOCUST, receiving
from bench_api import DATABASE_BASE_URL, HOST, free_port, production_environment, wait_until_serving

SHAPE = Path(__file__).resolve().with_name("_capacity_shape.py")
P99_MS = 500  # the generated deploy/monitoring/alerts.yml: p99 latency above 500 ms
FAILURES = 0.01  # and more than 1% of requests failing
SETTLE = 10  # seconds at least between a step's last user starting and its measurement (and all signed in)
MAX_SPAWN_RATE = 20
# Production settings, with one change: every simulated user signs in as it starts, all from one address, and
# the sign-in limit per address (30 a minute) would hold the run to 0.5 new users a second, too slow to reach a
# core's capacity at 1 to 5 s of think time within minutes. It is raised out of reach, as the API's per-key limit
# is (by environment variable): still checked on every sign-in, never reached.
CAPACITY_SETTINGS = """from .production import *  # noqa: F403
from .production import ACCOUNT_RATE_LIMITS

ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000000/m/ip"}
"""
THINK_TIME = re.compile(r"^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$")
MAX_USERS = 2000


def parse(argv: list[str]) -> argparse.Namespace:
    """The options, checked before any work: exit 2 with argparse's one line for a bad one."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=int, default=60, help="users added at each step (default 60)")
    parser.add_argument("--steps", type=int, default=10, help="most steps to run (default 10)")
    parser.add_argument("--first", type=int, help="users of the first step (default: --step), to look closer")
    parser.add_argument("--hold", type=float, default=30, help="seconds each step is measured (default 30)")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=6,
        help="users started a second, each signing in (Argon2: about 0.2 s of the web core each; default 6)",
    )
    parser.add_argument("--think-time", default="1-5", help="seconds between a user's steps, MIN-MAX (default 1-5)")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: config/gunicorn.py's own)")
    parser.add_argument("--database", default=f"runway_{CHECKOUT}_capacity", help="Postgres database to make")
    parser.add_argument("--redis-db", type=int, default=15, help="Redis database number (default 15)")
    args = parser.parse_args(argv)
    checks = (
        ("--step", args.step >= 1, "must be a whole number above zero"),
        ("--steps", args.steps >= 1, "must be a whole number above zero"),
        ("--first", args.first is None or args.first >= 1, "must be a whole number above zero"),
        ("--steps", last_step_users(args) <= MAX_USERS, f"must reach at most {MAX_USERS} users"),
        ("--hold", math.isfinite(args.hold) and 5 <= args.hold <= 600, "must be 5 to 600 seconds"),
        ("--spawn-rate", 0 < args.spawn_rate <= MAX_SPAWN_RATE, f"must be above 0 and at most {MAX_SPAWN_RATE}"),
        ("--workers", args.workers is None or 1 <= args.workers <= 64, "must be 1 to 64"),
        ("--database", re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.database), "must be a plain lower-case name"),
        ("--redis-db", 0 <= args.redis_db <= 15, "must be 0 to 15"),
    )
    for option, good, rule in checks:
        if not good:
            parser.error(f"argument {option}: {rule}")
    think = THINK_TIME.match(args.think_time.strip())
    if not think or float(think.group(1)) > float(think.group(2)):
        parser.error(f"argument --think-time: must read MIN-MAX in seconds, e.g. 1-5, got {args.think_time!r}")
    return args


def last_step_users(args: argparse.Namespace) -> int:
    return (args.first or args.step) + (args.steps - 1) * args.step


def cores() -> tuple[list[str], list[str]]:
    """The taskset prefixes of the web server and of the rest: one core and the others, or nothing for both."""
    taskset = shutil.which("taskset")
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not taskset or len(available) < 2:
        return [], []
    rest = ",".join(str(core) for core in available[1:])
    return [taskset, "-c", str(available[0])], [taskset, "-c", rest]


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own session, and everything it started (gunicorn's and Locust's children)."""
    if process.poll() is not None:
        return
    for sent, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def started(command: list[str], project: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=project, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop(process)


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{DATABASE_BASE_URL}/postgres", "-X", "-q", "-c", sql], capture_output=True, check=False)


def server_environment(env: dict[str, str], args: argparse.Namespace, folder: Path) -> dict[str, str]:
    """Production settings on loopback; the API's per-key and per-user limits counted but out of reach."""
    server_env = {
        **production_environment(
            env, settings="capacity", name=args.database, database=args.database, redis_db=args.redis_db
        ),
        "API_RATE_LIMIT_USER": "1000000000",  # and the key the profile's users share: counted, never reached
        "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",  # the receiver is on loopback
        "WEBHOOKS_REQUIRE_HTTPS": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "web-metrics"),
    }
    if args.workers:
        server_env["WEB_CONCURRENCY"] = str(args.workers)
    return server_env


def manage(project: Path, env: dict[str, str], *arguments: str) -> str:
    """Run manage.py from the baked venv; its output, or fail with it."""
    command = [str(project / ".venv/bin/python"), "manage.py", *arguments]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        fail(f"manage.py {arguments[0]} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return result.stdout


def measure(project: Path, env: dict[str, str], uv: str, args: argparse.Namespace, folder: Path) -> list[dict]:
    """Serve the installed project and run the step load against it; the report's line per step."""
    server_env = server_environment(env, args, folder)
    web_cores, other_cores = cores()
    psql(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    redis = f"import redis\nr = redis.Redis.from_url({server_env['REDIS_URL']!r})\n"
    redis += f"for key in r.scan_iter({args.database + '*'!r}): r.delete(key)"
    with ExitStack() as stack:
        stack.callback(psql, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        stack.callback(subprocess.run, [str(project / ".venv/bin/python"), "-c", redis], check=False)
        say(f"making the database {args.database} and the load-test data")
        migrate_new_database(project, server_env, args.database)
        manage(project, server_env, "collectstatic", "--noinput", "-v", "0")
        receiver = stack.enter_context(receiving())
        setup = manage(
            project, server_env, "loadtest_setup", "--allow-production-settings", "--webhook-url", receiver.url,
            "--users", "20",
        )  # fmt: skip
        profile = dict(line.split("=", 1) for line in setup.splitlines() if line.startswith("LOADTEST_"))
        port = free_port()
        web_env = {**server_env, "HOST": "127.0.0.1", "PORT": str(port)}
        gunicorn = [*web_cores, str(project / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py"]
        web = stack.enter_context(started(gunicorn, project, web_env, folder / "web.log"))
        worker = [*other_cores, str(project / ".venv/bin/python"), "manage.py", "rundramatiq", "--processes", "1"]
        worker_env = {**server_env, "PROMETHEUS_MULTIPROC_DIR": str(folder / "worker-metrics")}
        stack.enter_context(started([*worker, "--threads", "2"], project, worker_env, folder / "worker.log"))
        wait_until_serving(web, port)

        report = folder / "steps.csv"
        shape_env = {
            "CAPACITY_FIRST": str(args.first or args.step),
            "CAPACITY_STEP": str(args.step),
            "CAPACITY_STEPS": str(args.steps),
            "CAPACITY_SPAWN_RATE": str(args.spawn_rate),
            "CAPACITY_SETTLE": str(SETTLE),
            "CAPACITY_HOLD": str(args.hold),
            "CAPACITY_P99_MS": str(P99_MS),
            "CAPACITY_FAILURES": str(FAILURES),
            "CAPACITY_REPORT": str(report),
        }
        locust_env = {
            **{key: value for key, value in env.items() if key != "VIRTUAL_ENV"},
            **profile,
            **shape_env,
            "LOADTEST_HOST_HEADER": HOST,
            "LOADTEST_FORWARDED_PROTO": "https",
            "LOADTEST_THINK_TIME": args.think_time.strip(),
        }
        locust = [*other_cores, uv, *LOCUST[1:], "locust", "-f", f"loadtests/locustfile.py,{SHAPE}", "--headless"]
        locust += ["--host", f"http://127.0.0.1:{port}", "--stop-timeout", "10", "--only-summary"]
        locust += ["--csv", str(folder / "locust")]
        ramp = max(args.first or 0, args.step) / args.spawn_rate + 30
        budget = args.steps * (2 * ramp + SETTLE + args.hold + 2) + 300
        say(
            f"raising the users by {args.step} at {args.spawn_rate:g}/s, each step held {args.hold:g} s, "
            f"at most {args.steps} steps; web server {'pinned to core ' + web_cores[2] if web_cores else 'unpinned'}"
        )
        with started(locust, project, locust_env, folder / "locust.log") as run:
            deadline = time.monotonic() + budget
            shown = 0
            while run.poll() is None:
                if time.monotonic() > deadline:
                    fail(f"Locust did not finish within {budget:.0f} s; its log:\n{tail(folder / 'locust.log')}")
                if web.poll() is not None:
                    fail(f"gunicorn stopped with exit code {web.returncode}:\n{tail(folder / 'web.log')}")
                shown = show_new_steps(report, shown)
                time.sleep(1)
        show_new_steps(report, shown)
        rows = read_report(report)
        if not rows:
            fail(f"Locust measured no step; its log:\n{tail(folder / 'locust.log')}")
        return rows


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


def read_report(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def show_new_steps(report: Path, shown: int) -> int:
    rows = read_report(report)
    for row in rows[shown:]:
        say(f"step {row['step']}: {row['users']} users, {float(row['rps']):.1f} req/s, p99 {row['p99_ms']} ms")
    return len(rows)


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def print_result(rows: list[dict[str, str]], args: argparse.Namespace, pinned: bool, before: float) -> None:
    if pinned:
        where = "one core: gunicorn and its workers pinned to one core with taskset; Locust and the job worker on "
        where += "the others; Postgres and Redis unpinned"
    else:
        where = "the whole machine (no taskset, or one core): the web server shares it with Locust and the rest"
    print(f"\ncapacity of {where}")
    print(f"the load profile at {args.think_time} s of think time, steps of {args.step} users held {args.hold:g} s;")
    print(f"objectives: p99 at most {P99_MS} ms and at most {FAILURES:.0%} of requests failed\n")
    print(f"{'users':>6} {'req/s':>8} {'req/s/user':>10} {'p50 ms':>7} {'p99 ms':>7} {'failures':>9}  verdict")
    for row in rows:
        per_user = float(row["rps"]) / max(int(row["users"]), 1)
        verdict = "ok" if row["passed"] == "1" else "past the objectives"
        failures = f"{float(row['failure_ratio']):.2%}"
        print(
            f"{row['users']:>6} {float(row['rps']):>8.1f} {per_user:>10.3f} {row['p50_ms']:>7} {row['p99_ms']:>7} "
            f"{failures:>9}  {verdict}"
        )
    print(
        f"\nload average (1 min) before the run: {before:.2f}, at its end: {load_average():.2f}, on {os.cpu_count()} "
        "cores; other work on the machine lowers the figure"
    )
    if os.name == "posix" and os.nice(0) > 0:
        print(f"this run was niced ({os.nice(0)}): the machine's other work came before the web server")
    good = [row for row in rows if row["passed"] == "1"]
    if not good:
        first = args.first or args.step
        print(f"result: not even the first step ({first} users) kept within the objectives; start lower with --first")
        return
    last = good[-1]
    rps, users = float(last["rps"]), int(last["users"])
    unit = "per core" if pinned else "for the whole machine"
    print(
        f"result: {rps:.0f} req/s {unit} sustained (p99 {last['p99_ms']} ms, failures "
        f"{float(last['failure_ratio']):.2%}), {users} users at the profile's pace of {rps / users:.3f} req/s per user"
    )
    if len(good) == len(rows):
        print("(no step went past the objectives: the capacity is higher; raise --steps or --step)")


def main(argv: list[str]) -> int:
    args = parse(argv)
    env = tool_environment()
    uv = find_uv()
    tools = sync_tools(uv, env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl-C
    with tempfile.TemporaryDirectory(prefix="runway-capacity-") as tmp:
        say("baking and installing the default project")
        project = bake_default(tmp, env, uv, tools, "--no-dev")
        (project / "config/settings/capacity.py").write_text(CAPACITY_SETTINGS, encoding="utf-8")
        before = load_average()  # the machine's other work, before this run adds its own
        rows = measure(project, env, uv, args, Path(tmp))
    print_result(rows, args, pinned=bool(cores()[0]), before=before)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
