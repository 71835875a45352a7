"""The production web server (gunicorn with config/gunicorn.py): metrics across workers, recycling, settings."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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
    log: Path


@contextmanager
def gunicorn(folder: Path, *, workers: int = 2, **environ: str) -> Iterator[Server]:
    """gunicorn as the container runs it, with test settings plus ``environ``."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        **environ,
    }
    log = folder / "gunicorn.log"
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
        while len(worker_pids(process.pid)) < workers or not answers(f"{url}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                pytest.fail(f"gunicorn did not start: {log.read_text()}")
            time.sleep(0.2)
        yield Server(url, process.pid, folder / "metrics", log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    """Two workers, on the services the suite uses."""
    with gunicorn(tmp_path, METRICS_TOKEN=TOKEN) as running:
        yield running


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


def test_recycled_workers_are_forked_from_the_loaded_app_and_no_request_fails(tmp_path):
    """WEB_MAX_REQUESTS recycles workers; with the app preloaded in the master, none of the requests fails."""
    with gunicorn(tmp_path, WEB_MAX_REQUESTS="40") as server:
        first = worker_pids(server.pid)
        failures: list[str] = []

        def client() -> None:
            for _ in range(60):
                try:
                    status, _body = get(f"{server.url}/healthz")
                except OSError as error:
                    failures.append(repr(error))
                else:
                    if status != 200:
                        failures.append(str(status))

        clients = [threading.Thread(target=client) for _ in range(4)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=120)
        assert not failures
        assert not worker_pids(server.pid) & first, "240 requests recycle both workers (at most 40 + 20 each)"
        log = server.log.read_text()
        assert "Autorestarting worker" in log
        assert log.count("Booting worker") >= 4
        assert "Traceback" not in log


WARM_UP = """
import runpy, sys
import django
django.setup()
from django.urls import get_resolver
assert "config.urls" not in sys.modules
runpy.run_path("config/gunicorn.py")["when_ready"](None)
assert "config.urls" in sys.modules and get_resolver()._populated
print("warm")
"""


def test_the_master_loads_the_urls_and_views_before_forking(tmp_path):
    """A new worker's first request does not import the URLconf and the views (half a second each recycle)."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", WARM_UP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("warm")


WORKER_ENDS = """
import atexit, runpy, sys
import django
django.setup()
worker_exit = runpy.run_path("config/gunicorn.py")["worker_exit"]


class Inherited:
    def __del__(self):
        print("torn down", flush=True)  # only when the interpreter frees everything


kept = Inherited()
atexit.register(lambda: print("exit handlers ran", flush=True))
try:
    sys.exit(int(sys.argv[1]))
finally:
    worker_exit(None, None)
    print("gunicorn's own exit path", flush=True)
"""


@pytest.mark.parametrize(("code", "expected"), [(0, ["exit handlers ran"]), (3, ["gunicorn's own exit path"])])
def test_a_worker_that_ends_normally_skips_the_interpreter_teardown(tmp_path, code, expected):
    """Freeing everything a forked worker inherited took seconds with no worker serving; an error exit keeps its
    code (gunicorn stops when a worker cannot boot)."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", WORKER_ENDS, str(code)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stdout.splitlines() if line in {"exit handlers ran", "gunicorn's own exit path"}]
    assert lines[: len(expected)] == expected
    assert ("torn down" in result.stdout) is (code != 0)


def test_the_web_server_reads_its_variables(monkeypatch, tmp_path):
    """WEB_THREADS and WEB_MAX_REQUESTS reach gunicorn; a bad value stops it with one line."""
    import runpy

    monkeypatch.setenv("WEB_THREADS", "4")
    monkeypatch.setenv("WEB_MAX_REQUESTS", "0")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert (config["threads"], config["max_requests"], config["max_requests_jitter"]) == (4, 0, 0)
    assert config["preload_app"] is True

    monkeypatch.setenv("WEB_THREADS", "many")
    with pytest.raises(SystemExit, match="WEB_THREADS must be a whole number of at least 1, got 'many'"):
        runpy.run_path(str(ROOT / "config" / "gunicorn.py"))


def test_env_example_names_each_variable_once():
    names = [
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#") and "=" in line.split()[0]
    ]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []
