"""Before and after a change: two revisions of the template served side by side, with the outside reference.

    python3 scripts/bench_compare.py REVISION [--rounds 10] [--seconds 2] [--clients 4]

A lever is kept only if the benchmark shows it pays (docs/benchmarks.md), and a ratio
against the reference moves with the machine from one day to the next: this measures the
change itself, in one run. It bakes the default project twice, from git REVISION of this
checkout (before) and from the checkout as it is, uncommitted changes included (after),
installs both from their locks and serves each with its production command exactly as
scripts/bench_api.py does (its own database, seeded the same way; billing off), beside
the outside reference (scripts/bench_floor). Then, in alternating rounds whose order
rotates, it measures on each: one row (one project, v2, API key; the reference's
/api/v1/me/), the list of 20, and the bare view.

Prints the medians and, as medians of each round's own ratio, after / before and each
against the reference. Loopback only; every round is bounded in time; the servers and the
databases are gone at the end, whether it succeeds or fails.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import bench_api
from _bootstrap import CHECKOUT, ROOT, bake_default, fail, find_uv, say, sync_tools, tool_environment


def revision(name: str) -> str:
    """The commit ``name`` stands for in this checkout; refused clearly if it names none."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], cwd=ROOT, capture_output=True, text=True
    )
    if found.returncode != 0:
        fail(f"{name!r} is not a commit of this checkout (try HEAD~1, a branch or a tag)")
    return found.stdout.strip()


def export(commit: str, folder: Path) -> None:
    """The template's files at ``commit``, as git holds them, into ``folder``."""
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")


def prepared(
    project: Path, env: dict[str, str], *, side: str, database: str, admin: Callable[..., None]
) -> tuple[dict[str, str], dict[str, str]]:
    """Write the benchmark's files into a baked project, make, migrate and seed its database: its environment, seed."""
    bench_api.add_bench_files(project)
    server_env = {
        **bench_api.production_environment(
            env, settings="bench", name=f"compare-{side}-{os.getpid()}", database=database, redis_db=15
        ),
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(project / "prometheus"),
    }
    admin(f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}")
    return server_env, bench_api.seed_project(project, server_env)


def measure(before: Path, after: Path, env: dict[str, str], *, rounds: int, seconds: float, clients: int) -> dict:
    """Serve both projects and the reference; requests/s of each round, by endpoint."""
    databases = {side: f"runway_{CHECKOUT}_compare_{side}" for side in ("before", "after", "floor")}
    python = str(after / ".venv/bin/python")
    admin = bench_api.postgres_admin(python)
    reference_env = bench_api.reference_environment(env, databases["floor"])
    servers: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        before_env, before_seed = prepared(before, env, side="before", database=databases["before"], admin=admin)
        after_env, after_seed = prepared(after, env, side="after", database=databases["after"], admin=admin)
        admin(f"DROP DATABASE IF EXISTS {databases['floor']}", f"CREATE DATABASE {databases['floor']}")
        token = bench_api.seed_reference(python, reference_env)
        servers += [
            bench_api.serve(before, before_env),
            bench_api.serve(after, after_env),
            bench_api.serve_reference(after, reference_env),
        ]
        for (server, port), ready in zip(servers, ("/healthz", "/healthz", "/bare/"), strict=True):
            bench_api.wait_until_serving(server, port, ready)
        endpoints: bench_api.Endpoints = {}
        for side, (_, port), seed in (("before", servers[0], before_seed), ("after", servers[1], after_seed)):
            projects = f"/api/v2/organizations/{seed['organization']}/projects/"
            key = {"Authorization": f"Bearer {seed['api_key']}"}
            endpoints[f"{side}, one row"] = (port, f"{projects}{seed['project']}/", key, 1)
            endpoints[f"{side}, list of 20"] = (port, projects, key, 20)
            endpoints[f"{side}, bare view"] = (port, "/bench/bare/", {}, None)
        reference = servers[2][1]
        endpoints["reference, one row"] = (reference, "/api/v1/me/", token, 1)
        endpoints["reference, list of 20"] = (reference, "/api/v1/items/", token, 20)
        endpoints["reference, bare view"] = (reference, "/bare/", {}, None)
        bench_api.check_and_warm(endpoints, clients)
        return bench_api.alternate(endpoints, rounds=rounds, seconds=seconds, clients=clients)
    finally:
        bench_api.stop(servers)
        admin(*(f"DROP DATABASE IF EXISTS {database}" for database in databases.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", help="the git revision to compare the checkout with (before)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one endpoint's turn in a round")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections (wrk) or client threads")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds <= 0 or args.clients < 1:
        parser.error("--rounds and --clients must be at least 1, --seconds above 0")
    commit = revision(args.revision)

    env = tool_environment()
    uv = find_uv()
    tools = sync_tools(uv, env)
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template-before"
        template.mkdir()
        export(commit, template)
        say(f"baking and installing the default project before ({args.revision} = {commit[:10]}) and after")
        before = bake_default(str(Path(tmp) / "before"), env, uv, tools, "--no-dev", template=template)
        after = bake_default(str(Path(tmp) / "after"), env, uv, tools, "--no-dev")
        results = measure(before, after, env, rounds=args.rounds, seconds=args.seconds, clients=args.clients)
    medians = {name: statistics.median(values) for name, values in results.items()}
    print(
        f"\nmedian requests/s over {args.rounds} alternating rounds of {args.seconds:g} s "
        f"({bench_api.client_label(args.clients)}); before = {args.revision} ({commit[:10]}), after = this checkout:"
    )
    for name, value in medians.items():
        print(f"  {name:<24} {value:8.0f}")
    print("medians of the per-round ratios:")
    for endpoint in ("one row", "list of 20", "bare view"):
        for top, bottom in (("after", "before"), ("before", "reference"), ("after", "reference")):
            ratio = bench_api.per_round(results, f"{top}, {endpoint}", f"{bottom}, {endpoint}")
            print(f"  {endpoint + ', ' + top + ' / ' + bottom:<36} {ratio:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
