"""Measure the versioned API against an outside reference project and against views inside our own stack.

    python3 scripts/bench_api.py [--rounds 12] [--seconds 2] [--clients 4]

Bakes the default project, installs it from its lock and serves it with its
production command, ``gunicorn -c config/gunicorn.py`` (production settings, 2 sync
workers, pooled Postgres, Redis), twice on free loopback ports over one database:
billing off, and billing on (Stripe keys set, Stripe's API pointed at a closed
loopback port, so no request can leave the machine). Beside them it serves the
outside reference, scripts/bench_floor (a minimal Django + DRF project: default
middleware, persistent connections, DRF token auth; none of our code), with the
baked project's virtual environment under the same gunicorn flags (2 sync workers,
the app preloaded, loopback), on its own fresh database, seeded. The endpoints are
measured in alternating rounds (the order rotates each round) so that drift on the
machine hits all alike:

  a  a bare Django view returning a small JSON dict;
  b  a plain DRF APIView with DRF's token auth and no permission check, listing
     20 rows through a plain Serializer with select_related;
  c  our list of 20 projects: API key auth, the cached permission check, the
     versioned response (v2), tenant scoping, cursor pagination, the rate limit;
  d  c with billing on: the organization on the Pro plan, so the plan's checks
     run and its per-organization rate limit is counted (raised out of reach);
  e  ours, one row: GET one project (v2) with the same API key;
  f  the reference's bare view (/bare/): a plain Django view, no database;
  g  the reference's one row (/api/v1/me/): DRF token auth, the user;
  h  the reference's list of 20 (/api/v1/items/): token auth, 20 rows;
  i  the reference's one row and one Redis round trip: g's view, sending first a
     pipelined GET and a counted INCR with its expiry, the least that a permission
     set cached revocably in Redis and a rate limit shared by the workers cost (ours
     sends exactly this round trip, as a GET and a script call). None of our code: the
     reference's own server and settings, with one URL added after its own (BOUND_URLS).

a and b run inside our stack (our middleware), so they cannot show what the stack
costs: e/g, c/h and a/f (our middleware alone) do. The load comes from wrk when
it is on PATH (its connections: --clients), else from Python threads, which share
the cores with the servers and cap the fast endpoints (the run says its figures
are client-bound then); wrk counts whole seconds, so --seconds is rounded up for it.

Prints requests per second of each round, the medians side by side, and the
ratios; v1 of c is measured too (its responses are translated down). Needs
Postgres and Redis (RUNWAY_TEST_DATABASE_URL and RUNWAY_TEST_REDIS_URL, default
the local servers). Only loopback; every round is bounded in time, and the servers
and the databases are gone at the end, whether it succeeds or fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from _bootstrap import CHECKOUT, bake_default, fail, find_uv, say, sync_tools, tool_environment

DATABASE_BASE_URL = os.environ.get("RUNWAY_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_BASE_URL = os.environ.get("RUNWAY_TEST_REDIS_URL", "redis://127.0.0.1:6379")
HOST = "bench.example.com"
# The outside reference (its README says what it is). Its cache (unused on the measured paths) gets a Redis database
# of its own, outside the 10-15 the template's tests and other benchmarks use.
REFERENCE = Path(__file__).resolve().parent / "bench_floor"
REFERENCE_REDIS_DB = 9

# Endpoint i: the reference's one row and one Redis round trip, which a design that caches grants revocably in Redis
# and counts a shared rate limit there cannot do without. The ceiling of ours / reference for one row is i/g. Served
# by the reference's code under its own settings, with this URL after its own; the keys are under the prefix its
# cache uses (":1:"), so drop_reference_cache removes them.
BOUND_SETTINGS = """from floorproj.settings import *  # noqa: F403

ROOT_URLCONF = "bound_urls"
"""
BOUND_URLS = """import time

from catalog.views import Me
from django.urls import path
from django_redis import get_redis_connection
from floorproj.urls import urlpatterns as reference_urlpatterns


class MeAndOneRedisRoundTrip(Me):
    def get(self, request):
        counter = f":1:bound:count:{request.user.pk}:{int(time.time() // 60)}"
        pipeline = get_redis_connection("default").pipeline(transaction=False)
        pipeline.get(f":1:bound:grants:{request.user.pk}")
        pipeline.incr(counter)
        pipeline.expire(counter, 120)
        pipeline.execute()
        return super().get(request)


urlpatterns = [*reference_urlpatterns, path("api/v1/me-and-redis/", MeAndOneRedisRoundTrip.as_view())]
"""

# Added to the baked project for the benchmark only: endpoints a and b next to the real URLs.
BENCH_SETTINGS = """from .production import *  # noqa: F403
from .production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework.authtoken"]
ROOT_URLCONF = "config.bench_urls"
"""
BENCH_URLS = """from django.http import JsonResponse
from django.urls import path
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from acme_cloud.projects.models import Project
from config.urls import urlpatterns as project_urlpatterns


def bare(request):
    return JsonResponse({"status": "ok", "service": "bench", "items": 3})


class ProjectSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    organization_id = serializers.UUIDField(source="organization.public_id")
    name = serializers.CharField()
    description = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PlainList(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = []
    throttle_classes = []

    def get(self, request):
        projects = Project.objects.select_related("organization").order_by("-public_id")[:20]
        return Response({"results": ProjectSerializer(projects, many=True).data})


urlpatterns = [path("bench/bare/", bare), path("bench/drf/", PlainList.as_view()), *project_urlpatterns]
"""
SEED = """
import json
from django.db import transaction
from rest_framework.authtoken.models import Token
from acme_cloud.accounts.models import User
from acme_cloud.billing.entitlements import billing_changed
from acme_cloud.billing.models import BillingAccount, EntitlementOverride
from acme_cloud.billing.plans import Limit
from acme_cloud.organizations import keys, services
from acme_cloud.projects.services import project_create

user = User.objects.create_user(email="bench@example.com", password="bench-password-123")
organization = services.organization_create(name="Bench", owner=user)
# What the server with billing on reads (the other ignores it): a paying organization, as Stripe's webhook leaves
# it (Pro, active, its one seat paid, so a seat sync has nothing to send), with its API rate raised out of reach:
# counted on every request, never reached. Before the projects, so the seed runs with billing on as well: a new
# organization starts on the Free plan, which holds 10.
with transaction.atomic():
    BillingAccount.objects.create(organization=organization, plan="pro", status="active", seats=1)
    EntitlementOverride.objects.create(organization=organization, key=Limit.API_RATE_PER_MINUTE, limit=10**9)
    billing_changed(organization_public_id=organization.public_id)
for number in range(20):
    project = project_create(organization=organization, actor=user, name=f"Project {number}", description="A project.")
_, api_key = keys.api_key_create(
    organization=organization, actor=user, name="bench", scopes=["projects.view"], expires_in_days=None
)
print(json.dumps({"organization": str(organization.public_id), "project": str(project.public_id),
                  "api_key": api_key, "token": Token.objects.create(user=user).key}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> float:
    """Requests per second with ``clients`` concurrent connections: wrk's when it is on PATH, else Python's."""
    wrk = shutil.which("wrk")
    if wrk:
        return wrk_load(wrk, port, path, headers, seconds, clients)
    return threads_load(port, path, headers, seconds, clients)


def client_label(clients: int) -> str:
    if shutil.which("wrk"):
        return f"wrk, {clients} connections"
    return f"Python client, {clients} threads: client-bound (install wrk)"


def wrk_load(wrk: str, port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> float:
    """Requests per second by wrk: one thread (a core left to the servers), ``clients`` connections, whole seconds."""
    duration = max(1, math.ceil(seconds))
    command = [wrk, "--threads", "1", "--connections", str(clients), "--duration", f"{duration}s", "--timeout", "10s"]
    for name, value in {"Host": HOST, "X-Forwarded-Proto": "https", **headers}.items():
        command += ["--header", f"{name}: {value}"]
    try:
        result = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=duration + 30
        )
    except subprocess.TimeoutExpired:
        fail(f"wrk on {path} did not end within {duration + 30} s")
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", result.stdout, re.MULTILINE)
    # A refused status, or a connection refused or timed out, is a failure; not a figure.
    refused = re.search(r"Non-2xx or 3xx responses|Socket errors: connect [1-9]|, timeout [1-9]", result.stdout)
    if result.returncode != 0 or rate is None or refused:
        fail(f"wrk on {path}: {(result.stdout + result.stderr).strip()}")
    return float(rate.group(1))


def threads_load(port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> float:
    """Requests per second with ``clients`` threads, each sending one request after another."""
    done = [0] * clients
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        while time.perf_counter() < deadline:
            status, _ = get(port, path, headers)
            if status != 200:
                errors.append(f"{path}: HTTP {status}")
                return
            done[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        fail(errors[0])
    return sum(done) / (time.perf_counter() - started)


def serve(project: Path, server_env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """Start the production command (config/gunicorn.py: two sync workers, the app loaded before forking, workers
    recycled with jitter) on a free loopback port; only the address and the log level are the benchmark's."""
    port = free_port()
    server_env = {**server_env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2"}
    gunicorn = [str(project / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py", "--log-level", "warning"]
    return subprocess.Popen(gunicorn, cwd=project, env=server_env), port


def counted(python: str, redis_url: str, pattern: str) -> bool:
    """Does a key match ``pattern`` in Redis (asked with the project's own client)?"""
    script = "import redis, sys\nfound = redis.Redis.from_url(sys.argv[1]).scan_iter(match=sys.argv[2])\n"
    script += "sys.exit(0 if next(found, None) else 3)"
    answer = subprocess.run([python, "-c", script, redis_url, pattern], check=False)
    if answer.returncode not in (0, 3):
        fail(f"could not ask Redis for {pattern}")
    return answer.returncode == 0


def wait_until_serving(server: subprocess.Popen[bytes], port: int, path: str = "/healthz") -> None:
    # The servers load their projects at once, which on a busy 2-core machine can take more than a minute.
    deadline = time.monotonic() + 120
    while True:
        try:
            if get(port, path, {})[0] == 200:
                return
        except OSError:
            pass
        if server.poll() is not None:
            fail(f"gunicorn on port {port} stopped with exit code {server.returncode} (its log is above)")
        if time.monotonic() > deadline:
            fail(f"gunicorn on port {port} did not answer {path} within 120 s")
        time.sleep(0.2)


def reference_environment(env: dict[str, str], database: str) -> dict[str, str]:
    """The reference's settings (its README): its own database on our Postgres, its own Redis database."""
    postgres = urlsplit(DATABASE_BASE_URL)
    return {
        **{
            k: v
            for k, v in env.items()
            if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_", "VIRTUAL_ENV", "FLOOR_"))
        },
        "DJANGO_SETTINGS_MODULE": "floorproj.settings",
        "FLOOR_DB_NAME": database,
        "FLOOR_DB_USER": unquote(postgres.username or "postgres"),
        "FLOOR_DB_HOST": postgres.hostname or "127.0.0.1",
        "FLOOR_DB_PORT": str(postgres.port or 5432),
        **({"PGPASSWORD": unquote(postgres.password)} if postgres.password else {}),
        "FLOOR_REDIS_URL": f"{REDIS_BASE_URL}/{REFERENCE_REDIS_DB}",
        "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ left in the checkout
    }


def serve_reference(project: Path, reference_env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """Start the reference with the baked project's gunicorn and the flags of its config/gunicorn.py that shape
    the load (2 sync workers of one thread, the app loaded before forking, the same timeout and recycling)."""
    port = free_port()
    gunicorn = [str(project / ".venv/bin/gunicorn"), "floorproj.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    gunicorn += ["--workers", "2", "--worker-class", "sync", "--threads", "1", "--preload", "--timeout", "30"]
    gunicorn += ["--max-requests", "20000", "--max-requests-jitter", "10000", "--no-control-socket"]
    gunicorn += ["--worker-tmp-dir", "/dev/shm"] if Path("/dev/shm").is_dir() else []
    return subprocess.Popen([*gunicorn, "--log-level", "warning"], cwd=REFERENCE, env=reference_env), port


def rows(body: bytes) -> int:
    """Rows in a response: a list's length, a page's results, or one object."""
    data = json.loads(body)
    if isinstance(data, list):
        return len(data)
    return len(data["results"]) if "results" in data else 1


def stop(servers: list[tuple[subprocess.Popen[bytes], int]]) -> None:
    for server, _ in servers:
        server.terminate()
    for server, _ in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


# What a measured production server must not take from the caller's shell: its own settings come from here.
INHERITED = ("DATABASE_", "REDIS_", "DJANGO_", "VIRTUAL_ENV", "STRIPE_", "BILLING_", "SENTRY_", "EMAIL_", "WEB_")


def production_environment(env: dict[str, str], *, settings: str, name: str, database: str, redis_db: int) -> dict:
    """The baked project's production settings (``config.settings.<settings>``) on loopback, for a measurement.

    Nothing from the caller's shell that would change what is measured (billing, Sentry, mail, web
    concurrency); its own database, Redis database and key prefix (``name``); the API's per-key
    limit counted on every request but out of reach.
    """
    return {
        **{key: value for key, value in env.items() if not key.startswith(INHERITED)},
        "DJANGO_SETTINGS_MODULE": f"config.settings.{settings}",
        "DJANGO_SECRET_KEY": f"{settings}-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"{DATABASE_BASE_URL}/{database}",
        "REDIS_URL": f"{REDIS_BASE_URL}/{redis_db}",
        "CACHE_KEY_PREFIX": name,
        "DRAMATIQ_NAMESPACE": name,
        "EMAIL_URL": f"smtp://127.0.0.1:{free_port()}",  # nothing listens; nothing measured sends mail
        "MEDIA_BUCKET": f"{settings}-media",  # required by production settings; nothing is stored
        "API_RATE_LIMIT_KEY": "1000000000",  # counted, never reached
    }


Endpoints = dict[str, tuple[int, str, dict[str, str], int | None]]  # name: port, path, headers, rows (or None)


def add_bench_files(project: Path) -> None:
    """The benchmark's settings and URLs (endpoints a and b) in a baked project."""
    (project / "config/settings/bench.py").write_text(BENCH_SETTINGS, encoding="utf-8")
    (project / "config/bench_urls.py").write_text(BENCH_URLS, encoding="utf-8")
    (project / "staticfiles").mkdir(exist_ok=True)  # WhiteNoise warns without it; no page is served here


def postgres_admin(python: str) -> Callable[..., None]:
    """Run statements (CREATE and DROP DATABASE) on the local Postgres with the project's own psycopg."""

    def admin(*statements: str) -> None:
        script = "import sys, psycopg\nc = psycopg.connect(sys.argv[1], autocommit=True)\n"
        script += "".join(f"c.execute({statement!r})\n" for statement in statements)
        subprocess.run([python, "-c", script, f"{DATABASE_BASE_URL}/postgres"], check=True, timeout=120)

    return admin


def seed_project(project: Path, server_env: dict[str, str]) -> dict[str, str]:
    """Migrate the baked project's database (created by the caller) and seed it: the seed's ids, key and token."""
    manage = [str(project / ".venv/bin/python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=project, env=server_env, check=True)
    seeded = subprocess.run([*manage, "shell", "-c", SEED], cwd=project, env=server_env, capture_output=True, text=True)
    if seeded.returncode != 0:
        fail(f"the seed failed in {project}:\n{seeded.stderr.strip()}")
    seed: dict[str, str] = json.loads(seeded.stdout.strip().splitlines()[-1])
    return seed


def seed_reference(python: str, reference_env: dict[str, str]) -> dict[str, str]:
    """Migrate and seed the reference's database (created by the caller): the headers of its token."""
    manage = [python, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=REFERENCE, env=reference_env, check=True)
    seeded = subprocess.run([*manage, "seed"], cwd=REFERENCE, env=reference_env, capture_output=True, text=True)
    if seeded.returncode != 0:
        fail(f"the reference's seed failed:\n{seeded.stderr.strip()}")
    return {"Authorization": f"Token {seeded.stdout.strip().splitlines()[-1]}"}


def check_and_warm(endpoints: Endpoints, clients: int) -> None:
    """Each endpoint answers 200 with the rows expected; a second of load then warms each worker's caches and pools."""
    for name, (port, path, headers, expected) in endpoints.items():
        status, body = get(port, path, headers)
        if status != 200:
            fail(f"{name}: HTTP {status}: {body[:300]!r}")
        if expected is not None and rows(body) != expected:
            fail(f"{name}: expected {expected} rows, got {rows(body)}")
        load(port, path, headers, 1.0, clients)


def alternate(endpoints: Endpoints, *, rounds: int, seconds: float, clients: int) -> dict[str, list[float]]:
    """Requests/s of each endpoint in each round; the order rotates each round, so drift hits all alike."""
    results: dict[str, list[float]] = {name: [] for name in endpoints}
    names = list(endpoints)
    for number in range(rounds):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            port, path, headers, _ = endpoints[name]
            results[name].append(load(port, path, headers, seconds, clients))
        say(f"round {number + 1}: " + ", ".join(f"{name} {results[name][-1]:.0f}/s" for name in names))
    return results


def measure(project: Path, env: dict[str, str], *, rounds: int, seconds: float, clients: int) -> dict[str, list[float]]:
    """Serve the installed project under gunicorn, billing off and on, and the outside reference beside it, and
    measure the endpoints; requests/s of each round, by endpoint."""
    database = f"runway_{CHECKOUT}_bench_api"
    reference_database = f"runway_{CHECKOUT}_bench_floor"
    add_bench_files(project)
    server_env = {  # billing off: nothing STRIPE_ or BILLING_ is taken from the shell
        **production_environment(env, settings="bench", name=f"bench-{os.getpid()}", database=database, redis_db=15),
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(project / "prometheus"),
    }
    billing_env = {
        **server_env,
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}",  # nothing listens: a Stripe call would fail, not leave
        # Its own cache: its cached permission values hold other entitlements than those of billing off.
        "CACHE_KEY_PREFIX": f"bench-billing-{os.getpid()}",
        "PROMETHEUS_MULTIPROC_DIR": str(project / "prometheus-billing"),
    }
    reference_env = reference_environment(env, reference_database)
    python = str(project / ".venv/bin/python")
    admin = postgres_admin(python)

    def drop_reference_cache() -> None:
        # Only the keys the reference's cache writes (django-redis, no KEY_PREFIX): never another user's.
        script = "import redis, sys\nr = redis.Redis.from_url(sys.argv[1])\n"
        script += "for key in r.scan_iter(match=':1:*'):\n    r.delete(key)\n"
        subprocess.run([python, "-c", script, reference_env["FLOOR_REDIS_URL"]], check=True, timeout=120)

    if clients_bound := not shutil.which("wrk"):
        say(
            "wrk is not on PATH: Python threads send the load, on the servers' cores, so these figures are "
            "client-bound (fast endpoints read low); install wrk for figures comparable with docs/benchmarks.md"
        )
    servers: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        admin(*(f"DROP DATABASE IF EXISTS {name}" for name in (database, reference_database)))
        admin(f"CREATE DATABASE {database}", f"CREATE DATABASE {reference_database}")
        seed = seed_project(project, server_env)
        token = seed_reference(python, reference_env)

        bound = project / "bench_bound"
        bound.mkdir(exist_ok=True)
        (bound / "bound_settings.py").write_text(BOUND_SETTINGS, encoding="utf-8")
        (bound / "bound_urls.py").write_text(BOUND_URLS, encoding="utf-8")
        bound_env = {**reference_env, "DJANGO_SETTINGS_MODULE": "bound_settings", "PYTHONPATH": str(bound)}
        servers += [serve(project, server_env), serve(project, billing_env), serve_reference(project, reference_env)]
        servers.append(serve_reference(project, bound_env))
        for (server, port), ready in zip(servers, ("/healthz", "/healthz", "/bare/", "/bare/"), strict=True):
            wait_until_serving(server, port, ready)
        (_, plain), (_, billing), (_, reference), (_, ceiling) = servers
        projects = f"organizations/{seed['organization']}/projects/"
        key = {"Authorization": f"Bearer {seed['api_key']}"}
        endpoints: Endpoints = {
            "a bare Django": (plain, "/bench/bare/", {}, None),
            "b plain DRF": (plain, "/bench/drf/", {"Authorization": f"Token {seed['token']}"}, 20),
            "c ours (v2)": (plain, f"/api/v2/{projects}", key, 20),
            "c ours (v1)": (plain, f"/api/v1/{projects}", key, 20),
            "d ours (v2), billing on": (billing, f"/api/v2/{projects}", key, 20),
            "e ours, one row (v2)": (plain, f"/api/v2/{projects}{seed['project']}/", key, 1),
            "f reference bare": (reference, "/bare/", {}, None),
            "g reference, one row": (reference, "/api/v1/me/", token, 1),
            "h reference, list of 20": (reference, "/api/v1/items/", token, 20),
            "i reference, one row and a Redis round trip": (ceiling, "/api/v1/me-and-redis/", token, 1),
        }
        check_and_warm(endpoints, clients)
        # Billing is on where it should be: the plan's per-organization counter exists under its cache prefix only.
        for environment, expected_on in ((billing_env, True), (server_env, False)):
            counter = f"{environment['CACHE_KEY_PREFIX']}:*throttle:org:{seed['organization']}:*"
            if counted(python, server_env["REDIS_URL"], counter) != expected_on:
                fail(f"billing is {'off' if expected_on else 'on'} where it should not be: {counter} {expected_on=}")
        results = alternate(endpoints, rounds=rounds, seconds=seconds, clients=clients)
    finally:
        stop(servers)
        admin(*(f"DROP DATABASE IF EXISTS {name}" for name in (database, reference_database)))
        drop_reference_cache()
    if clients_bound:
        say("(client-bound: the Python client sent the load; install wrk)")
    return results


def per_round(results: dict[str, list[float]], top: str, bottom: str) -> float:
    """The median of each round's own ratio: a round measures the endpoints back to back, least disturbed."""
    return statistics.median(x / y for x, y in zip(results[top], results[bottom], strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one endpoint's turn in a round")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections (wrk) or client threads")
    args = parser.parse_args()

    env = tool_environment()
    uv = find_uv()
    tools = sync_tools(uv, env)
    with tempfile.TemporaryDirectory() as tmp:
        say("baking and installing the default project")
        project = bake_default(tmp, env, uv, tools, "--no-dev")
        results = measure(project, env, rounds=args.rounds, seconds=args.seconds, clients=args.clients)
    medians = {name: statistics.median(values) for name, values in results.items()}
    rounds = f"{args.rounds} alternating rounds of {args.seconds:g} s"
    print(f"\nmedian requests/s over {rounds} ({client_label(args.clients)}),")
    print("gunicorn (2 sync workers): ours with production settings, pooled Postgres, Redis; the reference beside it:")
    for name, value in medians.items():
        print(f"  {name:<44} {value:8.0f}")
    ratios = {  # top / bottom, each the median of the per-round ratios
        "e/g (one row, ours / reference)": ("e ours, one row (v2)", "g reference, one row"),
        "c/h (list of 20, ours / reference)": ("c ours (v2)", "h reference, list of 20"),
        "a/f (bare view, ours / reference)": ("a bare Django", "f reference bare"),
        "i/g (one row, a Redis round trip more)": (
            "i reference, one row and a Redis round trip",
            "g reference, one row",
        ),
        "e/i (one row, ours / that)": ("e ours, one row (v2)", "i reference, one row and a Redis round trip"),
        "c/a": ("c ours (v2)", "a bare Django"),
        "c/b": ("c ours (v2)", "b plain DRF"),
        "d/b": ("d ours (v2), billing on", "b plain DRF"),
        "d/c": ("d ours (v2), billing on", "c ours (v2)"),
        "v1/v2": ("c ours (v1)", "c ours (v2)"),
    }
    print("medians of the per-round ratios:")
    for label, (top, bottom) in ratios.items():
        print(f"  {label:<40} {per_round(results, top, bottom):5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
