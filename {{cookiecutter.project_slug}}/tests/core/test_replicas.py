"""The replica router against a real streaming replica (DATABASE_REPLICA_URLS); deselected without one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import InternalError, connections
from django.db.utils import Error as DatabaseError
from django.test import Client

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.db import positions, router
from {{ cookiecutter.project_slug }}.core.db import replicas as replicas_module
from {{ cookiecutter.project_slug }}.core.db.replicas import get_replicas
from {{ cookiecutter.project_slug }}.organizations import keys, services
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission

from ..replicas import catch_up, replica_alias
from .replica_views import JOB_READS, read_user
from .tcp_proxy import TcpProxy
from tests.factories import MembershipFactory

pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.urls("tests.core.replica_views"),
]


def test_reads_land_on_the_replica(client, replica):
    User.objects.create_user(email="ann@example.com")
    catch_up()

    response = client.get("/read", {"email": "ann@example.com"})

    assert response.json() == {"found": True, "server": "replica"}


def test_a_write_then_a_read_sees_the_write_while_replay_is_paused(client, paused_replica):
    assert client.post("/write", {"email": "bea@example.com"}).status_code == 200

    # The same client: its write position is past the replica's, so the primary answers.
    assert client.get("/read", {"email": "bea@example.com"}).json() == {"found": True, "server": "primary"}
    # Another client, with no write of its own, still reads from the (stale) replica.
    assert client.__class__().get("/read", {"email": "bea@example.com"}).json() == {
        "found": False,
        "server": "replica",
    }

    paused_replica.execute("SELECT pg_wal_replay_resume()")
    catch_up()

    assert client.get("/read", {"email": "bea@example.com"}).json() == {"found": True, "server": "replica"}


def test_a_signed_in_users_write_position_follows_them_to_other_devices(client, paused_replica):
    user = User.objects.create_user(email="cid@example.com")
    client.force_login(user)
    other_device = client.__class__()
    other_device.force_login(user)

    client.post("/write", {"email": "cid-invitee@example.com"})

    assert other_device.get("/read", {"email": "cid-invitee@example.com"}).json() == {
        "found": True,
        "server": "primary",
    }


def test_under_asgi_a_write_then_a_read_sees_the_write(async_client, paused_replica):
    async_to_sync(async_client.post)("/write", {"email": "asa@example.com"})

    response = async_to_sync(async_client.get)("/read", {"email": "asa@example.com"})

    assert response.json() == {"found": True, "server": "primary"}


def test_requests_in_parallel_threads_keep_their_own_routing(client, paused_replica):
    client.post("/write", {"email": "tom@example.com"})  # this client's position is past the replica
    results: dict[str, list[dict[str, Any]]] = {"writer": [], "other": []}
    start = threading.Barrier(2)

    def browse(name: str, browser: Client) -> None:
        start.wait()
        try:
            for _ in range(10):
                results[name].append(browser.get("/read", {"email": "tom@example.com"}).json())
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=browse, args=("writer", client)),
        threading.Thread(target=browse, args=("other", Client())),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results["writer"] == [{"found": True, "server": "primary"}] * 10
    assert results["other"] == [{"found": False, "server": "replica"}] * 10


def test_a_write_succeeds_even_when_its_position_cannot_be_recorded(client, replica, monkeypatch, caplog):
    def cache_down(*args: Any) -> None:
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(positions, "remember", cache_down)

    response = client.post("/write", {"email": "una@example.com"})

    assert response.status_code == 200
    assert User.objects.filter(email="una@example.com").exists()
    assert "could not record the write position" in caplog.text


def test_after_a_write_the_rest_of_the_request_reads_from_the_primary(client, paused_replica):
    body = client.post("/write-then-report", {"email": "dee@example.com"}).json()

    assert body["after_write"] == {"found": True, "server": "primary"}
    # Reports can ask for the replica on purpose, and accept its staleness.
    assert body["report"] == {"found": False, "server": "replica"}


def test_reads_in_a_transaction_and_select_for_update_use_the_primary(client, replica):
    User.objects.create_user(email="eve@example.com")
    catch_up()

    body = client.get("/in-transaction", {"email": "eve@example.com"}).json()

    assert body == {"inside": {"found": True, "server": "primary"}, "select_for_update": "default"}


def test_a_job_enqueued_after_a_write_reads_that_write(client, paused_replica, jobs):
    client.post("/write-and-enqueue", {"email": "fay@example.com"})

    jobs.run()

    assert JOB_READS == [{"found": True, "server": "primary"}]


def test_a_job_without_a_write_position_reads_from_the_replica(replica, jobs):
    from .replica_views import read_in_job

    read_in_job.send("nobody@example.com")
    jobs.run()

    assert JOB_READS == [{"found": False, "server": "replica"}]


def test_a_replica_lagging_past_the_limit_is_skipped(client, paused_replica, settings):
    settings.DATABASE_REPLICA_MAX_LAG_BYTES = 0
    User.objects.create_user(email="gus@example.com")  # WAL the paused replica does not replay
    statuses = get_replicas().refresh()

    assert not statuses[replica_alias()].usable
    assert "DATABASE_REPLICA_MAX_LAG_BYTES" in statuses[replica_alias()].reason
    assert client.get("/read", {"email": "gus@example.com"}).json() == {"found": True, "server": "primary"}


def test_nothing_can_write_to_the_replica(replica):
    with pytest.raises(DatabaseError):
        User.objects.using(replica).create(email="hal@example.com")
    with pytest.raises(InternalError, match="read-only"), connections[replica].cursor() as cursor:
        cursor.execute("CREATE TABLE sneaky (id int)")
    assert not User.objects.filter(email="hal@example.com").exists()


def test_outside_requests_and_jobs_reads_use_the_primary(replica):
    User.objects.create_user(email="ida@example.com")

    assert read_user("ida@example.com") == {"found": True, "server": "primary"}


def close_pool(alias: str) -> None:
    connection: Any = connections[alias]
    connection.close()
    connection.close_pool()


@pytest.fixture
def proxied_replica(replica: str) -> Iterator[TcpProxy]:
    """The replica behind a proxy the test can cut: as if the replica died."""
    replica_settings = connections.settings[replica]
    original = replica_settings["HOST"], replica_settings["PORT"]
    proxy = TcpProxy(replica_settings["HOST"] or "127.0.0.1", int(replica_settings["PORT"]))
    proxy.start()
    close_pool(replica)
    replica_settings["HOST"], replica_settings["PORT"] = "127.0.0.1", str(proxy.port)
    replicas_module._replicas = None
    get_replicas().refresh()
    try:
        yield proxy
    finally:
        proxy.stop()
        close_pool(replica)
        replica_settings["HOST"], replica_settings["PORT"] = original
        replicas_module._replicas = None


def test_every_request_succeeds_while_the_replica_is_down(client, proxied_replica):
    User.objects.create_user(email="jo@example.com")
    catch_up()
    assert client.get("/read", {"email": "jo@example.com"}).json() == {"found": True, "server": "replica"}

    proxied_replica.stop()
    answers = [client.get("/read", {"email": "jo@example.com"}) for _ in range(5)]

    assert [response.status_code for response in answers] == [200] * 5
    assert all(response.json() == {"found": True, "server": "primary"} for response in answers)
    assert not get_replicas().refresh()[replica_alias()].usable

    proxied_replica.start()
    assert get_replicas().refresh()[replica_alias()].usable
    assert client.get("/read", {"email": "jo@example.com"}).json() == {"found": True, "server": "replica"}


def test_a_read_that_fails_on_the_replica_is_retried_on_the_primary(proxied_replica):
    User.objects.create_user(email="kim@example.com")
    catch_up()
    token = router.begin()
    try:
        assert read_user("kim@example.com") == {"found": True, "server": "replica"}
        proxied_replica.stop()  # the connection this unit of work holds dies

        assert read_user("kim@example.com") == {"found": True, "server": "primary"}
        assert not get_replicas().is_usable(replica_alias())
    finally:
        router.end(token)
        connections[replica_alias()].close()


def test_an_api_key_made_a_moment_ago_authenticates_while_the_replica_lags(paused_replica):
    owner = MembershipFactory(role=Role.OWNER)
    key, token = keys.api_key_create(
        organization=owner.organization, name="CI", scopes=["widgets.view"], actor=owner.user, expires_in_days=None
    )
    routing = router.begin()  # a request from the integration: no write position of its own
    try:
        principal = keys.authenticate_token(token)
    finally:
        router.end(routing)

    assert principal.api_key_id == key.pk


def test_a_demoted_admin_loses_the_grant_at_once_even_while_the_replica_lags(paused_replica):
    owner = MembershipFactory(role=Role.OWNER)
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    org = owner.organization.public_id

    def may_manage() -> bool:
        routing = router.begin()  # the demoted admin's own request: no write position of theirs
        try:
            return has_permission(user=admin.user, organization_public_id=org, permission=Perm.MEMBERS_MANAGE)
        finally:
            router.end(routing)

    assert may_manage()
    services.membership_change_role(membership=admin, role=Role.VIEWER, actor=owner.user)

    assert not may_manage(), "the new permission set was computed from the primary, not the stale replica"
