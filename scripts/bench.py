"""The template's benchmarks in one run, side by side on loopback, as ratios.

    python3 scripts/bench.py [--rounds 12] [--seconds 2] [--clients 4] [--jobs 5000] [--requests 2000]

Bakes and installs the default project once, then runs one after another on this
machine the measurements of scripts/bench_api.py, bench_jobs.py and
bench_replicas.py (imported from them, so each script alone measures the same):

1. HTTP under the production server (gunicorn, 2 sync workers, production
   settings, pooled Postgres, Redis): a bare Django view, a plain DRF list with
   token auth, the project's authenticated list of 20 projects (API key, the
   cached permission check, v2 and v1; v2 again from a second server with
   billing on: a Pro organization's plan checks and its per-organization rate
   limit) and one project (v2); beside them, under the same gunicorn flags, the
   outside reference scripts/bench_floor (a minimal Django + DRF project, none of
   our stack): its bare view, one row and a list of 20 with DRF token auth, and
   its one row with one Redis round trip more (a pipelined GET and a counted
   INCR: the ceiling for a design that checks revocable grants and a shared rate
   limit in Redis, as ours does); all in the same alternating rounds, loaded by
   wrk (else Python threads, which say that their figures are client-bound);
2. the permission check in one process: warm, second in a request, cold (after a
   change), next to one raw Redis GET of the same value; the warm entitlement
   check (billing's plan, from the same cached value) against the same GET; and
   what each per-process cache of the hot path buys (scripts/bench_caches.py): the
   same work with the cache and without it, paired;
3. job throughput: N no-op jobs through the project's actor base and middleware
   against plain Dramatiq, Redis broker, 2 worker processes of 4 threads;
4. replica routing: the router's decision per query, one ORM read and a
   read-heavy run, primary only against one streaming replica.

Prints each part's figures as it goes, then one table of the ratios. Needs
Postgres, Redis and the loopback replica (.ci/replica.sh, which this runs).
About five minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

import bench_api
import bench_caches
import bench_jobs
import bench_replicas
from _bootstrap import bake_default, find_uv, say, sync_tools, tool_environment

Row = tuple[str, float, float | None, float]


def ratio_row(title: str, value: float, baseline: float) -> Row:
    return title, value, baseline, value / baseline


def figure(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: a number above zero, or a clear error naming the value."""

    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above zero, got {text}")
        return value

    return parse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=positive(int), default=12, help="HTTP rounds (default 12)")
    parser.add_argument("--seconds", type=positive(float), default=2.0, help="one endpoint's turn in a round")
    parser.add_argument(
        "--clients", type=positive(int), default=4, help="concurrent HTTP connections (wrk) or client threads"
    )
    parser.add_argument("--jobs", type=positive(int), default=5000, help="no-op jobs per round (2 rounds each)")
    parser.add_argument("--requests", type=positive(int), default=2000, help="requests of the read-heavy run")
    parser.add_argument("--calls", type=positive(int), default=2000, help="calls a round of the cache comparison")
    args = parser.parse_args()

    started = time.monotonic()
    env = tool_environment()
    uv = find_uv()
    tools = sync_tools(uv, env)
    bench_replicas.start_replica()
    with tempfile.TemporaryDirectory() as tmp:
        say("baking and installing the default project")
        project = bake_default(tmp, env, uv, tools)
        say(f"1/4 HTTP: {args.rounds} alternating rounds of {args.seconds:g} s per endpoint")
        http = bench_api.measure(project, env, rounds=args.rounds, seconds=args.seconds, clients=args.clients)
        python, base = bench_jobs.prepare(project)
        say("2/4 the permission check and the per-process caches")
        checks = bench_jobs.measure_permissions(project, python, base)
        caches = bench_caches.measure(project, python, base, args.calls)
        say(f"3/4 jobs: {args.jobs} no-op jobs, plain Dramatiq and ours alternating, 2 rounds each")
        jobs = bench_jobs.measure_jobs(project, python, base, args.jobs)
        say(f"4/4 replica routing: {args.requests} requests, primary only and one replica")
        replicas = bench_replicas.measure(project, args.requests)

    requests = {name: statistics.median(values) for name, values in http.items()}
    throughput = {label: statistics.median(r["jobs_per_s"] for r in runs) for label, runs in jobs.items()}
    enqueue = {label: statistics.median(r["p50_us"] for r in runs) for label, runs in jobs.items()}
    primary, replica = replicas["primary only"], replicas["one replica"]
    share = replica["replica_reads"] / replica["reads"] if replica["reads"] else 0.0
    ours, bare, plain, v1 = "c ours (v2)", "a bare Django", "b plain DRF", "c ours (v1)"
    billed = "d ours (v2), billing on"
    one_row, reference_bare = "e ours, one row (v2)", "f reference bare"
    reference_one_row, reference_list = "g reference, one row", "h reference, list of 20"
    ceiling = "i reference, one row and a Redis round trip"

    def http_row(title: str, top: str, bottom: str) -> Row:
        # A round measures the endpoints back to back: its own ratio is the least disturbed by other load.
        return title, requests[top], requests[bottom], bench_api.per_round(http, top, bottom)

    sections: list[tuple[str, list[Row]]] = [
        (
            f"HTTP ({bench_api.client_label(args.clients)}), requests/s: medians of the rounds; "
            "ratio: median of each round's own ratio",
            [
                http_row("our one row, API key, v2 / reference one row (token)", one_row, reference_one_row),
                http_row("reference one row and a Redis round trip / without", ceiling, reference_one_row),
                http_row("our one row / reference one row and a Redis round trip", one_row, ceiling),
                http_row("our list of 20, v2 / reference list of 20 (token)", ours, reference_list),
                http_row("our bare view / reference bare view", bare, reference_bare),
                ("bare Django view", requests[bare], None, 1.0),
                http_row("plain DRF list of 20, token auth / bare view", plain, bare),
                http_row("our list of 20, API key, v2 / bare view", ours, bare),
                http_row("our list of 20, API key, v2 / plain DRF list", ours, plain),
                http_row("our list of 20, v2, billing on / plain DRF list", billed, plain),
                http_row("our list of 20, v2, billing on / billing off", billed, ours),
                http_row("our list of 20, v1 / v2", v1, ours),
            ],
        ),
        (
            "Permission check, microseconds (lower is faster)",
            [
                ratio_row("warm (cached) / one raw Redis GET", checks["warm"], checks["raw"]),
                ratio_row("cold (after a role change) / warm", checks["cold"], checks["warm"]),
                ratio_row("second in the same request / warm", checks["memo"], checks["warm"]),
                ratio_row("warm entitlement check / one raw Redis GET", checks["entitled"], checks["entitled_raw"]),
            ],
        ),
        (
            "Per-process caches, microseconds: without the cache / with it (it pays where clear of 1.0)",
            [ratio_row(case["title"], case["without"], case["with"]) for case in caches["cases"]],
        ),
        (
            f"Jobs: {args.jobs} no-op jobs, 2 worker processes x 4 threads",
            [
                ratio_row("jobs/s, ours (actor base, middleware) / plain", throughput["ours"], throughput["plain"]),
                ratio_row("enqueue p50, microseconds, ours / plain", enqueue["ours"], enqueue["plain"]),
            ],
        ),
        (
            "Replica routing: one replica / primary only",
            [
                ratio_row("routing decision per query, microseconds", replica["routing_us"], primary["routing_us"]),
                ratio_row("ORM read by primary key, microseconds", replica["query_us"], primary["query_us"]),
                ratio_row(
                    "read-heavy run, requests/s (test client)", replica["requests_per_s"], primary["requests_per_s"]
                ),
            ],
        ),
    ]
    print(f"\n{'':<56}{'measured':>10}{'against':>10}{'ratio':>8}")
    for heading, rows in sections:
        print(heading)
        for title, value, baseline, ratio in rows:
            against = figure(baseline) if baseline is not None else ""
            print(f"  {title:<54}{figure(value):>10}{against:>10}{ratio:8.2f}")
    print(
        f"\nQueries: warm check {checks['warm_queries']}, cold check {checks['cold_queries']}. "
        f"With billing on: warm entitlement check {checks['entitled_queries']}, "
        f"cold {checks['entitled_cold_queries']}. "
        f"The replica served {share:.1%} of the read-heavy run's reads "
        f"({replica['reads']} reads, {replica['writes']} writes); the router adds "
        f"{replica['routing_us'] - primary['routing_us']:+.2f} us per query."
    )
    print(f"Whole run: {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
