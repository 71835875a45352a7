"""Measure the replica router: its cost per query, and how many reads a replica takes in a read-heavy run.

    python3 scripts/bench_replicas.py [requests]

Bakes the default project, installs it from its lock, migrates a benchmark
database on the local Postgres and runs the same measurements twice in the
baked project, side by side: primary only (no DATABASE_REPLICA_URLS, so no
router) and with the loopback streaming replica (.ci/replica.sh). It prints

- the routing decision per query (``django.db.router.db_for_read``), in microseconds;
- one ORM read end to end (inside a request's routing state), in microseconds;
- a read-heavy run through the whole middleware stack (Django's test client, 20
  clients, 1 write in 10 requests, each request one read): requests per second
  and the share of reads the replica served.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _bootstrap import (
    CHECKOUT,
    ROOT,
    bake_default,
    count_argument,
    fail,
    find_uv,
    migrate_new_database,
    sync_tools,
    tool_environment,
)

PRIMARY = "postgres://postgres@127.0.0.1:5432"
REPLICA = "postgres://runway_reader@127.0.0.1:5433"
DATABASE = f"runway_{CHECKOUT}_bench_replicas"
REDIS = "redis://127.0.0.1:6379/15"

# Runs inside the baked project (DJANGO_SETTINGS_MODULE=config.settings.test), prints one JSON line.
INNER = r"""
import json, random, sys, time
import django
django.setup()
from django.conf import settings
from django.db import connections, router as django_router
from django.test import Client
from acme_cloud.accounts.models import User
from acme_cloud.core.db import router
from acme_cloud.core.db.replicas import get_replicas

requests_total = int(sys.argv[1])
settings.ROOT_URLCONF = "tests.core.replica_views"
settings.ALLOWED_HOSTS = ["testserver"]
User.objects.filter(email__startswith="bench-").delete()
User.objects.bulk_create(User(email=f"bench-seed-{n}@example.com") for n in range(200))
if settings.DATABASE_REPLICAS:
    get_replicas().refresh()
    time.sleep(0.5)  # the seed rows reach the replica
    get_replicas().refresh()

def per_call_us(function, count):
    started = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - started) / count * 1e6

token = router.begin()
routing_us = min(per_call_us(lambda: django_router.db_for_read(User), 20000) for _ in range(5))
pk = User.objects.filter(email="bench-seed-1@example.com").values_list("pk", flat=True).first()
for _ in range(200):
    list(User.objects.filter(pk=pk))  # warm the pool and the plan cache
query_us = min(per_call_us(lambda: list(User.objects.filter(pk=pk)), 1000) for _ in range(5))
router.end(token)

served = {alias: 0 for alias in connections}
def count(alias):
    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and "accounts_user" in sql:
            served[alias] += 1
        return execute(sql, params, many, context)
    return wrapper
for alias in connections:
    connections[alias].execute_wrappers.append(count(alias))

random.seed(5)
clients = [Client() for _ in range(20)]
writes = 0
started = time.perf_counter()
for number in range(requests_total):
    client = random.choice(clients)
    if number % 10 == 0:
        writes += 1
        client.post("/write", {"email": f"bench-{number}@example.com"})
    else:
        client.get("/read", {"email": f"bench-seed-{random.randrange(200)}@example.com"})
elapsed = time.perf_counter() - started
reads = sum(served.values())
replica_reads = sum(n for alias, n in served.items() if alias != "default")
print(json.dumps({
    "routing_us": routing_us, "query_us": query_us, "requests_per_s": requests_total / elapsed,
    "reads": reads, "replica_reads": replica_reads, "writes": writes,
}))
"""


def start_replica() -> None:
    """Make or reuse the loopback streaming replica (.ci/replica.sh); stop with a message if it cannot."""
    replica = subprocess.run(["bash", str(ROOT / ".ci" / "replica.sh")], capture_output=True, text=True, check=False)
    if replica.returncode != 0:
        fail(f"no replica: {replica.stderr.strip()}")


def measure(project: Path, requests: int) -> dict[str, dict]:
    """The same measurements with the primary only and with one replica, by label (needs start_replica())."""
    (project / "bench_inner.py").write_text(INNER, encoding="utf-8")
    python = str(project / ".venv" / "bin" / "python")
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"{PRIMARY}/{DATABASE}",
        "REDIS_URL": REDIS,
        "LOG_LEVEL": "ERROR",
    }
    migrate_new_database(project, base, DATABASE)
    results = {}
    for label, extra in (("primary only", {}), ("one replica", {"DATABASE_REPLICA_URLS": f"{REPLICA}/{DATABASE}"})):
        out = subprocess.run(
            [python, "bench_inner.py", str(requests)],
            cwd=project,
            env={**base, **extra},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[label] = json.loads(out.strip().splitlines()[-1])
    return results


def main() -> int:
    requests = count_argument(2000, "requests")
    uv = find_uv()
    env = tool_environment()
    tools = sync_tools(uv, env)
    start_replica()
    with tempfile.TemporaryDirectory() as tmp:
        results = measure(bake_default(tmp, env, uv, tools), requests)
    primary, replica_run = results["primary only"], results["one replica"]
    rows = (
        ("routing decision per query (us)", "routing_us", ".2f"),
        ("ORM read by primary key, end to end (us)", "query_us", ".1f"),
        ("read-heavy run, requests/s (test client)", "requests_per_s", ".0f"),
    )
    print(f"{'':<44}{'primary only':>14}{'one replica':>14}")
    for title, key, spec in rows:
        print(f"{title:<44}{format(primary[key], spec):>14}{format(replica_run[key], spec):>14}")
    for label, run in results.items():
        share = run["replica_reads"] / run["reads"] if run["reads"] else 0.0
        print(f"{label}: {run['reads']} reads ({run['writes']} writes), {share:.1%} served by the replica")
    print(f"router overhead per query: {replica_run['routing_us'] - primary['routing_us']:+.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
