"""gunicorn settings for the web process: ``gunicorn -c config/gunicorn.py``.

Sync workers (one request at a time each) behind the Ingress, which buffers
slow clients; scale with WEB_CONCURRENCY per pod and with more pods. Read by
the gunicorn master at start-up; a bad value stops it with one line.
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
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = 25  # under the pod's terminationGracePeriodSeconds
keepalive = 5
# Recycle workers now and then, so a slow leak never takes a pod down.
max_requests = 2000
max_requests_jitter = 200
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


def child_exit(server: Any, worker: Any) -> None:
    """Drop a finished worker's live gauges; its counters and histograms still count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
