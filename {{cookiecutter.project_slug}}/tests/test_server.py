"""The production web server (gunicorn with config/gunicorn.py) adds up metrics across its worker processes."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "server-metrics-token-0123456789abcdefgh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:  # not listening yet
        return False


def worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


@dataclass
class Server:
    url: str
    pid: int
    metrics: Path


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    """gunicorn as the container runs it, two workers, test settings (the services the suite uses)."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:  # whatever happens, the server goes at the end
        deadline = time.monotonic() + 60
        while len(worker_pids(process.pid)) < 2 or not answers(f"{url}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                pytest.fail(f"gunicorn did not start: {log.read_text()}")
            time.sleep(0.2)
        yield Server(url, process.pid, tmp_path / "metrics")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def request_total(url: str) -> float:
    status, body = get(f"{url}/metrics", Authorization=f"Bearer {TOKEN}")
    assert status == 200
    lines = [line for line in body.splitlines() if line.startswith('http_requests_total{method="GET",route="/"')]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def sample_writers(folder: Path) -> set[int]:
    """The pids of the processes that wrote counter samples (prometheus_client names the files by pid)."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in folder.glob("counter_*.db")}


def test_metrics_add_up_every_worker_and_survive_a_worker_restart(server):
    for _ in range(10):
        assert get(f"{server.url}/")[0] == 200
    before = worker_pids(server.pid)
    [busy, *_] = sample_writers(server.metrics) & before
    os.kill(busy, signal.SIGTERM)  # a worker that served requests goes, as after max_requests
    deadline = time.monotonic() + 30
    while busy in worker_pids(server.pid) or len(worker_pids(server.pid)) < 2:
        assert time.monotonic() < deadline, "gunicorn did not replace the worker"
        time.sleep(0.1)
    for _ in range(10):
        assert get(f"{server.url}/")[0] == 200

    assert request_total(server.url) == 20, "every request counted once, whichever worker served it"
    assert len(sample_writers(server.metrics)) >= 2, "the stopped worker's samples and its successors' add up"
