"""The benchmarks run as docs/benchmarks.md says: a short run prints every figure; bad options are refused.

The short run needs wrk (scripts/_preflight.py installs it), so that it runs the load generator the figures in
the docs come from, against the outside reference as well as our own endpoints.

The figures themselves are not judged here (speed targets live in the benchmarks, never in timed tests); this
keeps the command working as the generated project changes under it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, assert_ok, clean_environment

BENCH = str(ROOT / "scripts" / "bench.py")


@pytest.mark.parametrize(
    ("option", "value"),
    [("--rounds", "0"), ("--seconds", "-1"), ("--jobs", "many"), ("--requests", "0")],
)
def test_bad_options_are_refused_before_any_work(option, value):
    result = subprocess.run(
        [sys.executable, BENCH, option, value], capture_output=True, text=True, timeout=60, env=clean_environment()
    )
    assert result.returncode == 2
    assert f"argument {option}:" in result.stderr
    assert "baking" not in result.stderr


@pytest.mark.parametrize(
    "script", ["bench_caches", "bench_generation", "bench_jobs", "bench_observability", "bench_replicas"]
)
@pytest.mark.parametrize("argument", ["0", "-3", "many", "2.5"])
def test_each_benchmark_refuses_a_count_that_is_not_a_whole_number_above_zero(script, argument):
    path = str(ROOT / "scripts" / f"{script}.py")
    result = subprocess.run(
        [sys.executable, path, argument], capture_output=True, text=True, timeout=60, env=clean_environment()
    )
    assert result.returncode == 1
    assert f"must be a whole number above zero, got '{argument}'" in result.stderr
    assert "baking" not in result.stderr


# The short runs judge no figure (their rounds are too short to), so they run beside the other tests; one group,
# scheduled among the long ones (tests/conftest.py), so that the two are not left to the end of the run.
@pytest.mark.slow
@pytest.mark.xdist_group("benchmarks")
@pytest.mark.needs("wrk")
def test_a_short_run_prints_every_ratio(services):
    short = ["--rounds", "1", "--seconds", "0.5", "--clients", "2", "--jobs", "200", "--requests", "100"]
    short += ["--calls", "100"]
    result = subprocess.run(
        [sys.executable, BENCH, *short], capture_output=True, text=True, timeout=900, env=clean_environment(), cwd=ROOT
    )
    assert_ok(result)
    table = result.stdout
    assert "HTTP (wrk, 2 connections)" in table, "the load comes from wrk, not the client-bound Python fallback"
    for row in (
        "our one row, API key, v2 / reference one row (token)",
        "reference one row and a Redis round trip / without",
        "our one row / reference one row and a Redis round trip",
        "our list of 20, v2 / reference list of 20 (token)",
        "our bare view / reference bare view",
        "plain DRF list of 20, token auth / bare view",
        "our list of 20, API key, v2 / plain DRF list",
        "our list of 20, v2, billing on / plain DRF list",
        "our list of 20, v2, billing on / billing off",
        "our list of 20, v1 / v2",
        "warm (cached) / one raw Redis GET",
        "cold (after a role change) / warm",
        "warm entitlement check / one raw Redis GET",
        "API request, no record of known keys",
        "session request, rate limits in a round trip of their own",
        "API request, no memo of valid list queries",
        "warm permission check, no memo of parsed values",
        "warm entitlement check, no memo of decoded values",
        "one-row read, psycopg_pool's check (an empty statement)",
        "one-row read, client-side binding (nothing prepared)",
        "jobs/s, ours (actor base, middleware) / plain",
        "routing decision per query, microseconds",
        "read-heavy run, requests/s (test client)",
    ):
        assert row in table, f"{row!r} missing from:\n{table}\n--- stderr\n{result.stderr}"
    assert "Queries: warm check 0, cold check 1. With billing on: warm entitlement check 0, cold 3." in table
    assert "(90 reads, 10 writes)" in table


COMPARE = str(ROOT / "scripts" / "bench_compare.py")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no-such-revision"], "'no-such-revision' is not a commit of this checkout"),
        (["HEAD", "--rounds", "0"], "--rounds and --clients must be at least 1"),
        (["HEAD", "--seconds", "0"], "--seconds above 0"),
        ([], "the following arguments are required: revision"),
    ],
)
def test_the_comparison_refuses_a_bad_revision_or_option_before_any_work(arguments, message):
    result = subprocess.run(
        [sys.executable, COMPARE, *arguments], capture_output=True, text=True, timeout=60, env=clean_environment()
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "baking" not in result.stderr


@pytest.mark.slow
@pytest.mark.xdist_group("benchmarks")
@pytest.mark.needs("wrk")
def test_a_short_comparison_prints_every_ratio(services):
    short = ["HEAD", "--rounds", "1", "--seconds", "0.5", "--clients", "2"]
    result = subprocess.run(
        [sys.executable, COMPARE, *short],
        capture_output=True,
        text=True,
        timeout=900,
        env=clean_environment(),
        cwd=ROOT,
    )
    assert_ok(result)
    for endpoint in ("one row", "list of 20", "bare view"):
        for pair in ("after / before", "before / reference", "after / reference"):
            assert f"{endpoint}, {pair}" in result.stdout, f"{endpoint}, {pair} missing from:\n{result.stdout}"
