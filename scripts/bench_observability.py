"""Measure what the per-request access line and Prometheus samples cost, under the production server.

    python3 scripts/bench_observability.py [requests]

Bakes the default project, installs it from its lock, and serves the home page
with gunicorn (config/gunicorn.py, 2 sync workers, zero services, JSON logs to
/dev/null) as generated and with AccessLogMiddleware removed, three interleaved
rounds each. Prints the median requests per second and mean latency of each,
side by side, and the ratio.
Loopback only; each run is bounded by its request count.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _bootstrap import count_argument, find_uv, sync_tools, tool_environment

BARE_SETTINGS = """from .test import *  # noqa: F403
from .test import MIDDLEWARE

MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith("AccessLogMiddleware")]
"""
CLIENTS = 4
ROUNDS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hammer(port: int, total: int) -> tuple[float, list[float]]:
    """Send ``total`` GET / from CLIENTS threads (a new connection each: sync workers close them)."""
    latencies: list[float] = []
    errors: list[Exception] = []
    lock = threading.Lock()
    remaining = iter(range(total))

    def client() -> None:
        mine = []
        try:
            for _ in remaining:
                started = time.perf_counter()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/")
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status != 200:
                    raise RuntimeError(f"GET / answered {response.status}")
                mine.append(time.perf_counter() - started)
        except Exception as error:
            errors.append(error)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started, latencies


def serve_and_measure(project: Path, settings: str, total: int) -> tuple[float, float]:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "VIRTUAL_ENV"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="2", LOG_FORMAT="json"
    )
    with tempfile.TemporaryDirectory() as metrics:
        env["PROMETHEUS_MULTIPROC_DIR"] = metrics
        server = subprocess.Popen(
            [str(project / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py"],
            cwd=project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    hammer(port, 20)  # warm up both workers
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("gunicorn did not start") from None
                    time.sleep(0.2)
            elapsed, latencies = hammer(port, total)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return total / elapsed, statistics.mean(latencies) * 1000


def main() -> int:
    total = count_argument(3000, "requests")
    env = tool_environment()
    uv = find_uv()
    tools = sync_tools(uv, env)
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [str(tools / "cookiecutter"), "--no-input", "-o", out, str(Path(__file__).parents[1])],
            env=env,
            check=True,
            capture_output=True,
        )
        project = Path(out) / "acme_cloud"
        subprocess.run([uv, "sync", "--frozen", "--quiet"], cwd=project, env=env, check=True)
        (project / "config" / "settings" / "bench_bare.py").write_text(BARE_SETTINGS)
        runs: dict[str, list[tuple[float, float]]] = {"bare": [], "observed": []}
        for _ in range(ROUNDS):  # interleaved, so drift on the machine hits both alike
            for label, settings in (("bare", "config.settings.bench_bare"), ("observed", "config.settings.test")):
                runs[label].append(serve_and_measure(project, settings, total))
    results = {
        label: (statistics.median(r for r, _ in measured), statistics.median(m for _, m in measured))
        for label, measured in runs.items()
    }
    print(f"{total} requests of GET / (home page) per run, median of {ROUNDS} interleaved runs,")
    print(f"gunicorn with 2 sync workers, {CLIENTS} clients, loopback")
    print(f"{'':24}{'req/s':>10}{'mean ms':>10}")
    for label, (rate, mean) in results.items():
        name = {"bare": "without access line", "observed": "as generated"}[label]
        print(f"{name:24}{rate:10.0f}{mean:10.2f}")
    ratio = results["observed"][0] / results["bare"][0]
    extra = results["observed"][1] - results["bare"][1]
    print(f"throughput ratio (as generated / without): {ratio:.3f}; added latency {extra:+.2f} ms per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
