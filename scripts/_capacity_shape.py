"""The step load of scripts/capacity.py, a Locust shape loaded beside the project's loadtests/locustfile.py.

Runs inside Locust (``locust -f loadtests/locustfile.py,<this file>``), not in the template's environment. The
first step starts CAPACITY_FIRST users, each next one CAPACITY_STEP more (at CAPACITY_SPAWN_RATE users a second);
a step waits until its users have all signed in, and at least CAPACITY_SETTLE seconds after the last one started
(a sign-in costs the server far more than a page, and a user signs in once), then measures for CAPACITY_HOLD
seconds: the requests, failures and response times of that window only (the difference of Locust's own counters
and histogram at its two ends). Each step's line is appended to the CSV file CAPACITY_REPORT. The run ends after
the first step whose p99 is above CAPACITY_P99_MS or whose failures are above CAPACITY_FAILURES (a ratio), or
after CAPACITY_STEPS steps.
"""

from __future__ import annotations

import csv
import os
import time
from typing import Any

from locust import LoadTestShape
from locust.stats import calculate_response_time_percentile, diff_response_time_dicts

COLUMNS = ("step", "users", "seconds", "requests", "failures", "rps", "p50_ms", "p99_ms", "failure_ratio", "passed")


class CapacitySteps(LoadTestShape):
    """Rising steps of users, each held and measured, until one breaks the objectives."""

    def __init__(self) -> None:
        super().__init__()
        self.first_users = int(os.environ["CAPACITY_FIRST"])
        self.step_users = int(os.environ["CAPACITY_STEP"])
        self.steps = int(os.environ["CAPACITY_STEPS"])
        self.spawn_rate = float(os.environ["CAPACITY_SPAWN_RATE"])
        self.settle = float(os.environ["CAPACITY_SETTLE"])
        self.hold = float(os.environ["CAPACITY_HOLD"])
        self.p99_ms = float(os.environ["CAPACITY_P99_MS"])
        self.failures = float(os.environ["CAPACITY_FAILURES"])
        self.report = os.environ["CAPACITY_REPORT"]
        self.step = 1
        self.phase = "ramp"
        self.phase_started = time.monotonic()
        self.snapshot: tuple[float, int, int, dict[int, int]] | None = None
        self.finished = False
        with open(self.report, "w", newline="") as file:
            csv.writer(file).writerow(COLUMNS)

    def target(self) -> int:
        return self.first_users + (self.step - 1) * self.step_users

    def ramp_limit(self) -> float:
        """The longest a ramp may take: a user that could not sign in stops, so the count may never be reached."""
        return max(self.first_users, self.step_users) / self.spawn_rate + 30

    def signed_in(self) -> bool:
        """Has every user of the step signed in (the profile's ``sign in`` request, once per user)?"""
        assert self.runner is not None
        return bool(self.runner.stats.get("sign in", "POST").num_requests >= self.target())

    def tick(self) -> tuple[int, float] | None:
        if self.finished:
            return None
        assert self.runner is not None
        now = time.monotonic()
        elapsed = now - self.phase_started
        if self.phase == "ramp":
            if self.runner.user_count >= self.target() or elapsed > self.ramp_limit():
                self.phase, self.phase_started = "settle", now
        elif self.phase == "settle" and elapsed >= self.settle and (self.signed_in() or elapsed > self.ramp_limit()):
            total = self.runner.stats.total
            self.snapshot = (now, total.num_requests, total.num_failures, dict(total.response_times))
            self.phase, self.phase_started = "hold", now
        elif self.phase == "hold" and elapsed >= self.hold:
            passed = self.record(now)
            if not passed or self.step >= self.steps:
                self.finished = True
                return None
            self.step += 1
            self.phase, self.phase_started = "ramp", now
        return self.target(), self.spawn_rate

    def record(self, now: float) -> bool:
        """Append the step's line to the report; whether it kept within the objectives."""
        assert self.runner is not None
        assert self.snapshot is not None
        started, requests_before, failures_before, times_before = self.snapshot
        total = self.runner.stats.total
        requests = total.num_requests - requests_before
        failures = total.num_failures - failures_before
        times: dict[int, Any] = diff_response_time_dicts(dict(total.response_times), times_before)
        seconds = now - started
        ratio = failures / requests if requests else 1.0
        p50 = calculate_response_time_percentile(times, requests, 0.50) if requests else 0
        p99 = calculate_response_time_percentile(times, requests, 0.99) if requests else 0
        passed = bool(requests) and p99 <= self.p99_ms and ratio <= self.failures
        row = (self.step, self.runner.user_count, f"{seconds:.1f}", requests, failures, f"{requests / seconds:.2f}")
        with open(self.report, "a", newline="") as file:
            csv.writer(file).writerow((*row, p50, p99, f"{ratio:.5f}", int(passed)))
        return passed
