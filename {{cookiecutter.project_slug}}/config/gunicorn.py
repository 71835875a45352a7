"""gunicorn settings for the web process: ``gunicorn -c config/gunicorn.py``.

Sync workers (one request at a time each) behind the Ingress, which buffers
slow clients; scale with WEB_CONCURRENCY per pod and with more pods
(WEB_THREADS above 1 switches to threaded workers). Read by the gunicorn master
at start-up; a bad value stops it with one line.
"""

import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit() or int(raw) < minimum:
        sys.exit(f"error: {name} must be a whole number of at least {minimum}, got {raw!r}")
    return int(raw)


wsgi_app = "config.wsgi:application"
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"]  # noqa: S104 - inside the container
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("WEB_THREADS", 1)
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = 25  # under the pod's terminationGracePeriodSeconds
keepalive = 5
# Load Django once in the master, then fork: a new worker (at start, after a crash
# or a recycle) serves within milliseconds instead of importing the project again,
# which left the pod silent for seconds when its workers recycled together.
preload_app = True
# Recycle a worker after about WEB_MAX_REQUESTS requests (0: never), so a slow leak
# never takes a pod down. The jitter is half of it: workers started together drift
# apart, and with preloading a recycle costs a fork, not a boot.
max_requests = _int("WEB_MAX_REQUESTS", 20000, minimum=0)
max_requests_jitter = max_requests // 2
# Heartbeat files on a RAM disk: a container's overlay filesystem can stall them.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# The control socket lives in $HOME; several servers on one machine would collide, and we do not use it.
control_socket_disable = True
accesslog = None  # core.middleware.AccessLogMiddleware writes one JSON line per request
errorlog = "-"

# Prometheus multiprocess mode: every worker writes its samples into one folder
# that /metrics adds up. The container sets the folder; otherwise use a fresh one.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="prometheus-")


def on_starting(server: Any) -> None:
    """Start from zero: samples of a previous run would be added to this one's."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob("*.db"):
        leftover.unlink()


def _close_connections() -> None:
    """Close every database connection and pool this process opened."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


def when_ready(server: Any) -> None:
    """Before the workers fork: load what a first request would, and fork no connection.

    Django imports the URLconf, and with it every view, on the first request a process
    serves: without this, each new worker (at start and after every recycle) spent about
    half a second on its first request. Then drop any connection the master opened.
    """
    from django.urls import get_resolver

    _ = get_resolver().reverse_dict  # imports config.urls and every view, and indexes the routes
    _close_connections()


def worker_exit(server: Any, worker: Any) -> None:
    """A worker that ends normally (recycled, or the server stopping) leaves at once.

    Tearing down the interpreter of a forked worker frees every object it inherited from
    the master, copying the shared memory page by page: 1 to 3 s during which the worker
    served nothing and the master had not replaced it yet, so two workers recycling
    together left the pod silent. Close the pools, run the exit handlers (Sentry, traces,
    logs), then end the process. An exit with an error keeps gunicorn's path and its code.
    """
    import atexit

    ending = sys.exc_info()[1]
    if not isinstance(ending, SystemExit) or ending.code not in (0, None):
        return
    _close_connections()
    atexit._run_exitfuncs()  # what the interpreter would run at exit, without the teardown
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def child_exit(server: Any, worker: Any) -> None:
    """Drop a finished worker's live gauges; its counters and histograms still count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
