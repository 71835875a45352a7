"""Prometheus metrics for requests, jobs and the database pool, correct under several processes.

When ``PROMETHEUS_MULTIPROC_DIR`` is set (the container image sets it; the
gunicorn config sets one up when it is not), every process writes its samples
to files in that folder and the exposition adds them up, so a scrape answered
by any one gunicorn worker reports the whole server. Without it (tests, a
single process) the samples live in the process's default registry.

The web process serves them at ``/metrics``; the job worker (``rundramatiq``)
serves them from a small HTTP server it forks (``METRICS_PORT``, default 9191).
Both require ``Authorization: Bearer $METRICS_TOKEN`` and answer 404 while
METRICS_TOKEN is unset: metrics are never public.
"""

import functools
import hmac
import logging
import os
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer

import dramatiq
from django.db import connections
from dramatiq.middleware import Middleware
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client import generate_latest as _generate_latest

logger = logging.getLogger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
if os.environ.get(MULTIPROCESS_DIR):  # a fresh emptyDir volume starts without the folder
    os.makedirs(os.environ[MULTIPROCESS_DIR], exist_ok=True)
UNMATCHED = "<unmatched>"

HTTP_REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by route pattern and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0),
)
DB_POOL = Gauge(
    "db_pool_connections",
    "Connections of the database pools (size: open, available: idle, waiting: requests queued for one).",
    ["database", "state"],
    multiprocess_mode="livesum",
)
JOBS = Counter("jobs", "Jobs finished, by outcome (succeeded, failed, skipped).", ["queue", "actor", "outcome"])
JOBS_ENQUEUED = Counter("jobs_enqueued", "Jobs enqueued (retries included).", ["queue", "actor"])
JOBS_RETRIED = Counter("jobs_retried", "Jobs enqueued again after a failure.", ["queue", "actor"])
JOBS_DEAD_LETTERED = Counter("jobs_dead_lettered", "Jobs that ran out of retries.", ["queue", "actor"])
JOBS_IN_PROGRESS = Gauge("jobs_in_progress", "Jobs running now.", ["queue", "actor"], multiprocess_mode="livesum")
JOB_DURATION = Histogram(
    "job_duration_seconds",
    "Time a job ran.",
    ["queue", "actor"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0),
)

# Each metric's labelled child, looked up once per label set: ``labels()`` takes a lock and
# builds its key on every call, and these run on every enqueue and job (a bounded set of
# queues, actors and outcomes). Nothing here removes children, so the cached ones stay live.
_db_pool = functools.cache(DB_POOL.labels)
_jobs = functools.cache(JOBS.labels)
_jobs_enqueued = functools.cache(JOBS_ENQUEUED.labels)
_jobs_retried = functools.cache(JOBS_RETRIED.labels)
_jobs_dead_lettered = functools.cache(JOBS_DEAD_LETTERED.labels)
_jobs_in_progress = functools.cache(JOBS_IN_PROGRESS.labels)
_job_duration = functools.cache(JOB_DURATION.labels)


def exposition() -> bytes:
    """Every sample of this server in the Prometheus text format."""
    registry: CollectorRegistry = REGISTRY
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return _generate_latest(registry)


def authorized(header: str, token: str) -> bool:
    """True when ``header`` is ``Bearer <token>``; compared in constant time."""
    scheme, _, given = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


def record_pool_usage() -> None:
    """Publish the state of this process's database pools (psycopg's pool statistics)."""
    for connection in connections.all(initialized_only=True):
        pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
        if pool is None:
            continue
        stats = pool.get_stats()
        _db_pool(connection.alias, "size").set(stats.get("pool_size", 0))
        _db_pool(connection.alias, "available").set(stats.get("pool_available", 0))
        _db_pool(connection.alias, "waiting").set(stats.get("requests_waiting", 0))
        _db_pool(connection.alias, "max").set(stats.get("pool_max", 0))


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)
    record_pool_usage()


class JobMetrics(Middleware):
    """Count and time jobs (a Dramatiq middleware); the worker forks a server that exposes them."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}

    @property
    def forks(self) -> list[Callable[[], int]]:
        # Only the multi-process worker (rundramatiq) runs forks; without a shared
        # folder the exposition process could not see the workers' samples.
        return [serve_worker_metrics] if os.environ.get(MULTIPROCESS_DIR) else []

    def after_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[object], delay: int) -> None:
        _jobs_enqueued(message.queue_name, message.actor_name).inc()
        if message.options.get("retries"):
            _jobs_retried(message.queue_name, message.actor_name).inc()

    def after_nack(self, broker: dramatiq.Broker, message: dramatiq.MessageProxy) -> None:
        _jobs_dead_lettered(message.queue_name, message.actor_name).inc()

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.MessageProxy) -> None:
        _jobs_in_progress(message.queue_name, message.actor_name).inc()
        self._started[message.message_id] = time.perf_counter()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: dramatiq.MessageProxy,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        labels = (message.queue_name, message.actor_name)
        started = self._started.pop(message.message_id, None)
        if started is not None:
            _job_duration(*labels).observe(time.perf_counter() - started)
        _jobs_in_progress(*labels).dec()
        _jobs(*labels, "failed" if exception is not None else "succeeded").inc()
        record_pool_usage()

    def after_skip_message(self, broker: dramatiq.Broker, message: dramatiq.MessageProxy) -> None:
        self._started.pop(message.message_id, None)
        _jobs_in_progress(message.queue_name, message.actor_name).dec()
        _jobs(message.queue_name, message.actor_name, "skipped").inc()

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if os.environ.get(MULTIPROCESS_DIR):
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class _WorkerMetricsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/metrics" or not authorized(
            self.headers.get("Authorization", ""), os.environ.get("METRICS_TOKEN", "")
        ):
            self.send_error(404)
            return
        body = exposition()
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug(format, *args)


def serve_worker_metrics() -> int:
    """Serve the job workers' metrics (a process forked by the Dramatiq CLI)."""
    host = os.environ.get("METRICS_HOST", "0.0.0.0")  # noqa: S104 - the pod's network, not the Ingress
    port = int(os.environ.get("METRICS_PORT", "9191"))
    server = HTTPServer((host, port), _WorkerMetricsHandler)
    logger.info("serving job metrics on %s:%d", host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()
    return 0
