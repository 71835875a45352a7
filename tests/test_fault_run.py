"""Faults under load (scripts/fault_run.py): the production command keeps answering and loses nothing.

The run starts its own Postgres with a streaming replica and its own Redis on free loopback ports (never the
machine's shared servers), serves the default project with its production command, and injects one fault at a
time. The targets asserted here are correctness properties, not speed: no acknowledged write lost, no job lost
or run twice, no failed request while workers recycle or a rolling update replaces the web process, at most
0.1% failed and full throughput back within 5 s after a Postgres or Redis restart.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, clean_environment

FAULT_RUN = str(ROOT / "scripts" / "fault_run.py")
FAULTS = ["recycling", "rollout", "postgres", "redis", "replica", "worker-kill", "broker"]


def test_a_bad_option_is_refused_before_any_work():
    command = [sys.executable, FAULT_RUN, "--clients", "0"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=clean_environment())
    assert result.returncode == 2
    assert "argument --clients:" in result.stderr
    assert "baking" not in result.stderr


@pytest.mark.slow
@pytest.mark.needs("postgres-server", "redis-server")
@pytest.mark.alone
def test_the_production_command_survives_each_fault_and_loses_nothing(tmp_path):
    figures = tmp_path / "figures.json"
    run_ = subprocess.Popen(
        [sys.executable, FAULT_RUN, "--json", str(figures)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_environment(),
        cwd=ROOT,
    )
    try:
        stdout, stderr = run_.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        run_.terminate()  # the script stops its servers on SIGTERM
        stdout, stderr = run_.communicate(timeout=60)
    report = f"--- stdout\n{stdout}\n--- stderr\n{stderr[-6000:]}"
    assert figures.exists(), report
    run = json.loads(figures.read_text())
    rows = {row["fault"]: row for row in run["rows"]}
    assert list(rows) == FAULTS, report
    for row in rows.values():
        assert row["requests"] > 0, report
        assert row["writes_acknowledged"] > 0, report
        assert row["writes_lost"] == 0, report
    for fault in ("worker-kill", "broker"):
        assert rows[fault]["jobs"] == 80, report
        assert (rows[fault]["jobs_lost"], rows[fault]["jobs_twice"]) == (0, 0), report
        assert int(rows[fault]["note"].split()[0]) > 0, report  # "N of 80 jobs not done at the fault"
    for fault in ("recycling", "rollout"):
        assert rows[fault]["failed"] == 0, report
        assert rows[fault]["longest_gap"] <= 1.0, report
    assert int(rows["recycling"]["note"].split()[0]) > 0, report  # "N recycles"
    for fault in ("postgres", "redis"):
        assert rows[fault]["failed"] <= 0.001 * rows[fault]["requests"], report
        assert rows[fault]["recovery"] is not None, report
        assert rows[fault]["recovery"] <= 5.0, report
    assert run["died"] == [], report
    assert run["missed"] == [], report
    assert run_.returncode == 0, report
