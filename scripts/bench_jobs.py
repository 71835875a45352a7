"""Measure the cached permission check and job throughput, side by side in one run.

    python3 scripts/bench_jobs.py [jobs]

Bakes the default project, installs it from its lock and, against the local
Postgres and Redis:

1. times the permission check cold (cache bumped before every call) and warm,
   with the database queries each costs, next to one raw Redis GET of a value
   of the same size (called alternately with the warm check, so both see the
   same moment of the machine), and a second check within the same request
   (memoised); and the warm entitlement check (billing's plan, read from the
   same cached value) against the same raw GET;
2. runs end to end N no-op jobs (default 5,000) on the Redis broker with two
   worker processes of four threads, through the project's actor base and its
   middleware stack (request id, trace, write position, idempotency, metrics),
   against a plain Dramatiq actor on a plain RedisBroker, in alternating rounds;
   prints jobs/s, the ratio, and the enqueue latency (p50, p99).

Targets (issues 6 and 14): warm permission and entitlement checks 0 queries and at most 1.1x one Redis GET; our
jobs at 0.85 or more of plain Dramatiq's throughput; enqueue p50 under 300 us.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bootstrap import (
    CHECKOUT,
    bake_default,
    count_argument,
    find_uv,
    migrate_new_database,
    say,
    sync_tools,
    tool_environment,
)

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = f"runway_{CHECKOUT}_bench_jobs"
REDIS = "redis://127.0.0.1:6379/14"

PERMISSIONS = r"""
import json, pickle, time
import django
django.setup()
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection
from acme_cloud.accounts.models import User
from acme_cloud.core import requestcache
from acme_cloud.organizations import permissions
from acme_cloud.organizations.models import Membership, Organization, Role
from acme_cloud.billing import entitlements
from acme_cloud.billing.models import BillingAccount
from django.conf import settings

user = User.objects.create_user(f"bench-{time.time_ns()}@example.com", "x")
org = Organization.objects.create(name="Bench")
Membership.objects.create(organization=org, user=user, role=Role.ADMIN)
perm = permissions.Perm.MEMBERS_MANAGE
BillingAccount.objects.create(organization=org, plan="pro", status="active")  # read once billing is on (below)

def check():
    return permissions.has_permission(user=user, organization_public_id=org.public_id, permission=perm)

def entitled():
    return entitlements.entitled(org.public_id, "webhooks", principal=user)

def timed(function, count, before=None):
    samples = []
    for _ in range(count):
        if before:
            before()
        started = time.perf_counter_ns()
        function()
        samples.append(time.perf_counter_ns() - started)
    samples.sort()
    return samples[len(samples) // 2] / 1000

def paired(first, second, count):
    # Medians of two functions called alternately, each going first half the time, so both
    # see the same moment of the machine and of Redis.
    samples = ([], [])
    pairs = ((first, samples[0]), (second, samples[1]))
    for number in range(count):
        for function, into in pairs if number % 2 else pairs[::-1]:
            started = time.perf_counter_ns()
            function()
            into.append(time.perf_counter_ns() - started)
    return [sorted(into)[count // 2] / 1000 for into in samples]

def queries(function, before=None):
    if before:
        before()
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)

bump = lambda: permissions.bump(org.public_id, user.pk)
check()
raw = get_redis_connection("default")
version_key, set_key = permissions._keys(org.public_id, user.pk)
stored = raw.get(cache.make_key(set_key))
raw.set("bench:raw", stored)
rounds = {"cold": [], "warm": [], "raw": [], "memo": [], "entitled": [], "entitled_raw": []}
for _ in range(5):
    rounds["cold"].append(timed(check, 300, before=bump))
    check()
    warm, raw_get = paired(check, lambda: raw.get("bench:raw"), 3000)
    rounds["warm"].append(warm)
    rounds["raw"].append(raw_get)
    requestcache.start()
    check()
    rounds["memo"].append(timed(check, 3000))
    requestcache.clear()
figures = {"cold_queries": queries(check, before=bump), "warm_queries": (check(), queries(check))[1]}
# Billing on: the organization's plan comes from its subscription (no Stripe call is made here).
settings.BILLING_ENABLED = True
figures["entitled_cold_queries"] = queries(entitled, before=bump)
stored = raw.get(cache.make_key(set_key))
raw.set("bench:raw", stored)
for _ in range(5):
    warm_entitled, raw_get = paired(entitled, lambda: raw.get("bench:raw"), 3000)
    rounds["entitled"].append(warm_entitled)
    rounds["entitled_raw"].append(raw_get)
print(json.dumps({
    **{k: min(v) for k, v in rounds.items()},
    **figures,
    "entitled_queries": (entitled(), queries(entitled))[1],
    "value_bytes": len(stored),
}))
"""

ACTORS = r'''
"""No-op actors for the throughput benchmark: ours (the project's stack) or plain Dramatiq."""
import os

if os.environ.get("BENCH_PLAIN"):
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    dramatiq.set_broker(RedisBroker(url=os.environ["REDIS_URL"], namespace=os.environ["DRAMATIQ_NAMESPACE"]))

    @dramatiq.actor(queue_name="bench", max_retries=0)
    def noop(number):
        pass
else:
    from acme_cloud.core.jobs.actors import actor

    @actor(queue_name="bench", max_retries=0)
    def noop(number: int) -> None:
        pass
'''

PRODUCER = r"""
import json, os, sys, time
if not os.environ.get("BENCH_PLAIN"):
    import django
    django.setup()
import dramatiq
from bench_actors import noop

broker = dramatiq.get_broker()
count = int(sys.argv[1])
latencies = []
started = time.perf_counter()
for number in range(count):
    t = time.perf_counter_ns()
    noop.send(number)
    latencies.append(time.perf_counter_ns() - t)
while broker.do_qsize("bench"):
    time.sleep(0.005)
elapsed = time.perf_counter() - started
latencies.sort()
print(json.dumps({"jobs_per_s": count / elapsed, "p50_us": latencies[len(latencies) // 2] / 1000,
                  "p99_us": latencies[int(len(latencies) * 0.99)] / 1000}))
"""


def run_round(project: Path, python: str, env: dict[str, str], plain: bool, jobs: int, number: int) -> dict:
    namespace = f"bench-{'plain' if plain else 'ours'}-{number}-{os.getpid()}"
    round_env = {**env, "DRAMATIQ_NAMESPACE": namespace, **({"BENCH_PLAIN": "1"} if plain else {})}
    modules = ["bench_actors"] if plain else ["django_dramatiq.setup", "bench_actors"]
    workers = subprocess.Popen(
        [python, "-m", "dramatiq", "--processes", "2", "--threads", "4", *modules],
        cwd=project,
        env=round_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(4)  # let both worker processes boot before the clock starts
        out = subprocess.run(
            [python, "bench_producer.py", str(jobs)],
            cwd=project,
            env=round_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.killpg(workers.pid, 15)
        workers.wait(timeout=30)
    return json.loads(out.strip().splitlines()[-1])


def prepare(project: Path) -> tuple[str, dict[str, str]]:
    """Write the benchmark's files into the installed project and migrate its database; its python and env."""
    for name, text in (
        ("bench_permissions.py", PERMISSIONS),
        ("bench_actors.py", ACTORS),
        ("bench_producer.py", PRODUCER),
    ):
        (project / name).write_text(text, encoding="utf-8")
    python = str(project / ".venv" / "bin" / "python")
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_", "JOBS_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "REDIS_URL": REDIS,
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(project),
    }
    migrate_new_database(project, base, DATABASE)
    return python, base


def measure_permissions(project: Path, python: str, base: dict[str, str]) -> dict:
    """Microseconds of a raw Redis GET and of the check warm, memoised and cold, with their query counts."""
    out = subprocess.run(
        [python, "bench_permissions.py"], cwd=project, env=base, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure_jobs(project: Path, python: str, base: dict[str, str], jobs: int, rounds: int = 2) -> dict[str, list]:
    """Each round's jobs/s and enqueue latency, plain Dramatiq and ours alternating."""
    results: dict[str, list[dict]] = {"plain": [], "ours": []}
    for number in range(rounds):
        for label in ("plain", "ours"):
            results[label].append(run_round(project, python, base, label == "plain", jobs, number))
    return results


def main() -> int:
    jobs = count_argument(5000, "jobs")
    uv = find_uv()
    env = tool_environment()
    tools = sync_tools(uv, env)
    with tempfile.TemporaryDirectory() as tmp:
        project = bake_default(tmp, env, uv, tools)
        python, base = prepare(project)
        say("measuring the permission check")
        checks = measure_permissions(project, python, base)
        say(f"measuring {jobs} jobs, alternating plain and ours, 2 rounds each")
        results = measure_jobs(project, python, base, jobs)

    print("\nPermission check (median of the best of 5 rounds, microseconds)")
    print(f"  one raw Redis GET of the same {checks['value_bytes']}-byte value   {checks['raw']:8.1f}")
    print(f"  warm check (cache, no request memo)        {checks['warm']:8.1f}   queries: {checks['warm_queries']}")
    print(f"  second check in the same request (memo)    {checks['memo']:8.1f}")
    print(f"  cold check (version bumped before each)    {checks['cold']:8.1f}   queries: {checks['cold_queries']}")
    print(f"  warm / raw GET = {checks['warm'] / checks['raw']:.2f} (target <= 1.1)")
    entitled, entitled_queries = checks["entitled"], checks["entitled_queries"]
    print(f"  warm entitlement check (same cached value) {entitled:8.1f}   queries: {entitled_queries}")
    print(f"  cold entitlement check (billing on)        queries: {checks['entitled_cold_queries']}")
    print(f"  warm entitlement / raw GET = {checks['entitled'] / checks['entitled_raw']:.2f} (target <= 1.1)")
    print(f"\nJobs: {jobs} no-op jobs, Redis broker, 2 worker processes x 4 threads")
    for label in ("plain", "ours"):
        rates = [r["jobs_per_s"] for r in results[label]]
        p50 = statistics.median(r["p50_us"] for r in results[label])
        p99 = statistics.median(r["p99_us"] for r in results[label])
        shown = ", ".join(f"{r:.0f}" for r in rates)
        print(f"  {label:<6} jobs/s: {shown:<16} enqueue p50 {p50:6.1f} us  p99 {p99:7.1f} us")
    ours = statistics.median(r["jobs_per_s"] for r in results["ours"])
    plain = statistics.median(r["jobs_per_s"] for r in results["plain"])
    print(f"  ours / plain = {ours / plain:.2f} (target >= 0.85)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
