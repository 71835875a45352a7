"""scripts/capacity.py runs as docs/scaling.md says: a tiny run prints its table and result; bad options are refused.

The figure itself is not judged here (it depends on the machine); this keeps the command working as the
generated project and its load profile change under it.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, assert_ok, clean_environment

CAPACITY = str(ROOT / "scripts" / "capacity.py")


def refused(*arguments: str) -> str:
    """What the script says when it refuses ``arguments``; it must exit 2 (argparse's usage error) before baking."""
    command = [sys.executable, CAPACITY, *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=clean_environment())
    assert result.returncode == 2, result
    assert "baking" not in result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--step", "0"),
        ("--steps", "-1"),
        ("--steps", "many"),
        ("--first", "0"),
        ("--hold", "1"),
        ("--hold", "nan"),
        ("--spawn-rate", "0"),
        ("--think-time", "5-1"),
        ("--think-time", "fast"),
        ("--workers", "0"),
        ("--database", "Robert'); DROP"),
        ("--redis-db", "16"),
    ],
)
def test_bad_options_are_refused_before_any_work(option, value):
    assert f"argument {option}:" in refused(option, value)


def test_too_many_users_in_all_are_refused():
    too_many = "argument --steps: must reach at most 2000 users"
    assert too_many in refused("--step", "500", "--steps", "5")
    assert too_many in refused("--first", "1990", "--step", "10", "--steps", "3")


@pytest.mark.slow
@pytest.mark.needs("postgres", "redis")
def test_a_tiny_run_prints_a_line_per_step_and_the_result():
    tiny = ["--step", "2", "--steps", "2", "--hold", "5", "--spawn-rate", "2", "--think-time", "0.5-1"]
    result = subprocess.run(
        [sys.executable, CAPACITY, *tiny], capture_output=True, text=True, timeout=600, env=clean_environment()
    )

    assert_ok(result)
    out = result.stdout
    assert re.search(r"capacity of (one core|the whole machine)", out), out
    assert "users    req/s req/s/user  p50 ms  p99 ms  failures  verdict" in out
    rows = re.findall(r"^ +\d+ +[\d.]+ +[\d.]+ +\d+ +\d+ +[\d.]+%  (ok|past the objectives)$", out, re.MULTILINE)
    assert 1 <= len(rows) <= 2, out
    assert re.search(r"^result: (\d+ req/s .* users at the profile's pace|not even the first step)", out, re.M), out
    assert "load average (1 min) before the run:" in out
    assert "step 1:" in result.stderr
