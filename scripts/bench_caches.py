"""What each per-process cache of the hot path buys: the same work with the cache and without it, paired.

    python3 scripts/bench_caches.py [CALLS]   (calls a round, default 2000)

Bakes the default project and, in one process of it (Postgres and Redis, as bench_jobs),
times each cache's work twice in alternation, once as shipped and once with that one cache
bypassed, so that both see the same moment of the machine:

- an authenticated API request (Django's test client, the v2 list of 20 projects with an API
  key): as shipped, without ``organizations.keys``' record of known keys (the key is read from
  the database each time), without ``api.views``' memo of valid list queries (the query is
  validated by its serializer each time), and with the rate limits counted in a Redis round
  trip of their own instead of riding along with the permission set's GET
  (``api.throttling.count_ahead``, issue 18), with the key and signed in (the session cookie);
- the warm permission check: without ``organizations.permissions``' memo of key names
  (``_keys``) and of parsed stored values (``_parse``);
- the warm entitlement check: without ``billing.entitlements``' memo of decoded values
  (``_decode``);
- one row read through the ORM and the connection given back to the pool, as a request
  does (issue 18's database levers): with psycopg_pool's own check before a connection is
  lent (an empty statement each time) in place of ``core.db.pool.check_connection``, and
  with Django's default client-side binding (nothing prepared) in place of
  DATABASE_PREPARED_STATEMENTS' server-side binding and prepared statements.

Prints microseconds without / with and their ratio: a cache is worth keeping when its ratio
stands clear of 1.0 (docs/benchmarks.md keeps the last figures and the decision).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_jobs
from _bootstrap import bake_default, count_argument, find_uv, say, sync_tools, tool_environment

CACHES = r"""
import json, sys, time
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.base import Cursor, ServerBindingCursor
from psycopg_pool import ConnectionPool
from acme_cloud.core.db.pool import check_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from acme_cloud.accounts.models import User
from acme_cloud.api import authentication, views
from acme_cloud.billing import entitlements
from acme_cloud.billing.models import BillingAccount, EntitlementOverride
from acme_cloud.billing.plans import Limit
from acme_cloud.organizations import keys, permissions, services
from acme_cloud.projects.services import project_create

COUNT = int(sys.argv[1])
user = User.objects.create_user(f"caches-{time.time_ns()}@example.com", "x")
organization = services.organization_create(name="Caches", owner=user)
BillingAccount.objects.create(organization=organization, plan="pro", status="active", seats=1)
# Every rate limit is counted, never reached.
EntitlementOverride.objects.create(organization=organization, key=Limit.API_RATE_PER_MINUTE, limit=10**9)
settings.API_RATE_LIMIT_KEY = settings.API_RATE_LIMIT_USER = 10**9
for number in range(20):
    project_create(organization=organization, actor=user, name=f"Project {number}", description="A project.")
_, token = keys.api_key_create(
    organization=organization, actor=user, name="caches", scopes=["projects.view"], expires_in_days=None
)
client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost")
url = f"/api/v2/organizations/{organization.public_id}/projects/"
auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def request():
    response = client.get(url, **auth)
    assert response.status_code == 200, response.content[:300]


signed_in = Client(HTTP_HOST=client.defaults["HTTP_HOST"])
signed_in.force_login(user)


def session_request():
    response = signed_in.get(url)
    assert response.status_code == 200, response.content[:300]


def check():
    return permissions.has_permission(
        user=user, organization_public_id=organization.public_id, permission=permissions.Perm.MEMBERS_MANAGE
    )


def entitled():
    return entitlements.entitled(organization.public_id, "webhooks", principal=user)


project = organization.projects.first()


def one_row():
    # A request's one-row read: a connection from the pool, the query, the connection back.
    type(project).objects.select_related("organization").get(
        organization__public_id=organization.public_id, public_id=project.public_id
    )
    connection.close()


def lending(check, cursor, threshold):
    # The pool's check runs on each connection before it is lent: it also sets the binding the variant measures.
    def lend(psycopg_connection):
        psycopg_connection.cursor_factory, psycopg_connection.prepare_threshold = cursor, threshold
        check(psycopg_connection)

    return lend


SHIPPED_LENDING = lending(check_connection, ServerBindingCursor, 5)


class Forgetful(dict):
    # A per-process memo that never keeps anything: each call does the work again.
    def __setitem__(self, key, value):
        pass


def swap(owner, name, value):
    # Put ``value`` in place of ``owner.name``; return what puts it back.
    before = getattr(owner, name)
    setattr(owner, name, value)
    return lambda: setattr(owner, name, before)


def without_records():
    return swap(keys, "_records", Forgetful())


def without_valid_queries():
    return swap(views, "_valid_queries", Forgetful())


def without_keys():
    return swap(permissions, "_keys", permissions._keys.__wrapped__)


def without_parse():
    return swap(permissions, "_parse", permissions._parse.__wrapped__)


def without_decode():
    return swap(entitlements, "_decode", entitlements._decode.__wrapped__)


def without_counting_ahead():
    # The rate limits counted in their own round trip, after the permission set's GET, as before issue 18.
    return swap(authentication, "count_ahead", lambda *args: None)


def with_pools_check():
    return swap(connection.pool, "_check", lending(ConnectionPool.check_connection, ServerBindingCursor, 5))


def without_prepared_statements():
    return swap(connection.pool, "_check", lending(check_connection, Cursor, None))


def paired(function, bypass, count):
    # Medians of ``function`` as shipped and with one cache bypassed, alternately, each first half the time.
    shipped, bypassed = [], []
    for number in range(count):
        for off in ((False, True) if number % 2 else (True, False)):
            restore = bypass() if off else None
            started = time.perf_counter_ns()
            function()
            elapsed = time.perf_counter_ns() - started
            if restore:
                restore()
            (bypassed if off else shipped).append(elapsed)
    return [sorted(samples)[count // 2] / 1000 for samples in (bypassed, shipped)]


def queries(function, bypass):
    restore = bypass()
    try:
        with CaptureQueriesContext(connection) as captured:
            function()
    finally:
        restore()
    return len(captured.captured_queries)


settings.BILLING_ENABLED = True  # the plan's checks run on the request and the entitlement is a real plan's
assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True, "prepared statements are off"
connection.close()
connection.ensure_connection()  # the pool exists
connection.close()
connection.pool._check = SHIPPED_LENDING
for function in (request, session_request, check, entitled, one_row):
    for _ in range(50):
        function()  # warm: the process's caches, Redis's values, the connection
cases = [
    ("API request, no record of known keys", request, without_records, COUNT // 4),
    ("API request, no memo of valid list queries", request, without_valid_queries, COUNT // 4),
    ("API request, rate limits in a round trip of their own", request, without_counting_ahead, COUNT // 4),
    ("session request, rate limits in a round trip of their own", session_request, without_counting_ahead, COUNT // 4),
    ("warm permission check, no memo of key names", check, without_keys, COUNT),
    ("warm permission check, no memo of parsed values", check, without_parse, COUNT),
    ("warm entitlement check, no memo of decoded values", entitled, without_decode, COUNT),
    ("one-row read, psycopg_pool's check (an empty statement)", one_row, with_pools_check, COUNT // 2),
    ("one-row read, client-side binding (nothing prepared)", one_row, without_prepared_statements, COUNT // 2),
]
figures = []
for title, function, bypass, count in cases:
    rounds = [paired(function, bypass, count) for _ in range(3)]
    without, shipped = (min(values) for values in zip(*rounds))
    figures.append({"title": title, "without": without, "with": shipped, "queries_without": queries(function, bypass)})
print(json.dumps({"cases": figures, "request_queries": queries(request, lambda: (lambda: None))}))
"""


def measure(project: Path, python: str, base: dict[str, str], count: int) -> dict:
    """Each cache's work with and without it (microseconds), with the queries its absence costs."""
    (project / "bench_caches.py").write_text(CACHES, encoding="utf-8")
    out = subprocess.run(
        [python, "bench_caches.py", str(count)], cwd=project, env=base, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"bench_caches: the measurement failed:\n{out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(figures: dict) -> None:
    title = "Per-process caches and database levers, microseconds"
    print(f"\n{title:<62}{'without':>9}{'with':>9}{'ratio':>7}  queries without")
    for case in figures["cases"]:
        ratio = case["without"] / case["with"]
        print(f"  {case['title']:<60}{case['without']:9.1f}{case['with']:9.1f}{ratio:7.2f}  {case['queries_without']}")
    print(f"  (an API request as shipped sends {figures['request_queries']} queries)")


def main() -> int:
    calls = count_argument(2000, "calls a round")
    env = tool_environment()
    uv = find_uv()
    tools = sync_tools(uv, env)
    with tempfile.TemporaryDirectory() as tmp:
        say("baking and installing the default project")
        project = bake_default(tmp, env, uv, tools)
        python, base = bench_jobs.prepare(project)
        say(f"timing each cache's work with and without it, {calls} calls a round, 3 rounds")
        report(measure(project, python, base, calls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
