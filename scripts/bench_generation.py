"""Time project generation: the cookiecutter CLI, as a user runs it, several times.

    python3 scripts/bench_generation.py [runs]

Prints each run and the median; the foundation's target is under 2 seconds,
with no network (the generated project ships its uv.lock instead of resolving).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

from _bootstrap import ROOT, count_argument, find_uv, sync_tools, tool_environment


def main() -> int:
    runs = count_argument(5, "runs")
    env = tool_environment()
    tools = sync_tools(find_uv(), env)
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(
                [str(tools / "cookiecutter"), "--no-input", "-o", out, str(ROOT)],
                env=env,
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - started)
    for number, seconds in enumerate(times, start=1):
        print(f"run {number}: {seconds:.2f} s")
    print(f"median: {statistics.median(times):.2f} s over {runs} runs (target: under 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
