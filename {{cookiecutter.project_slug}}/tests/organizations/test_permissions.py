"""Cached permissions: a warm check costs no query, and a change is seen by the very next request."""

import gc
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from {{ cookiecutter.project_slug }}.core import requestcache
from {{ cookiecutter.project_slug }}.organizations import permissions, services
from {{ cookiecutter.project_slug }}.organizations.models import PermissionInvalidation, Role
from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission, permissions_for

from tests.conftest import redis_cache
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def check(membership, perm=Perm.MEMBERS_MANAGE) -> bool:
    return has_permission(
        user=membership.user, organization_public_id=membership.organization.public_id, permission=perm
    )


def test_roles_map_to_permission_sets():
    assert permissions.ROLE_PERMISSIONS[Role.OWNER] >= frozenset(Perm)
    assert Perm.ORGANIZATION_DELETE not in permissions.ROLE_PERMISSIONS[Role.ADMIN]
    member_only = permissions.ROLE_PERMISSIONS[Role.MEMBER] - permissions.ROLE_PERMISSIONS[Role.VIEWER]
    assert member_only  # the apps' writes
    assert all(permission.endswith(".edit") for permission in member_only)
    assert {Perm.ORGANIZATION_VIEW, Perm.MEMBERS_VIEW} <= permissions.ROLE_PERMISSIONS[Role.VIEWER]
    assert not {Perm.MEMBERS_MANAGE, Perm.WEBHOOKS_MANAGE} & permissions.ROLE_PERMISSIONS[Role.VIEWER]


def test_an_app_registers_its_permissions_with_the_roles_and_api_keys():
    # The test app (tests/testapp) registered widgets.view for every role and widgets.edit for members and up.
    assert "widgets.view" in permissions.ROLE_PERMISSIONS[Role.VIEWER]
    assert "widgets.edit" not in permissions.ROLE_PERMISSIONS[Role.VIEWER]
    for role in (Role.MEMBER, Role.ADMIN, Role.OWNER):
        assert {"widgets.view", "widgets.edit"} <= permissions.ROLE_PERMISSIONS[role]
    assert {"widgets.view", "widgets.edit"} <= permissions.API_KEY_SCOPES


@pytest.mark.parametrize("bad", ["widgets", "a.b.c", 3])
def test_a_malformed_permission_is_refused(bad):
    with pytest.raises(ValueError, match=r"'<app>\.<action>' string"):
        permissions.register_permissions(read=[bad])


def test_a_warm_check_costs_no_query(django_assert_num_queries):
    admin = MembershipFactory(role=Role.ADMIN)
    with django_assert_num_queries(1):
        assert check(admin)  # cold: one query, then cached

    with django_assert_num_queries(0):
        assert check(admin)
        assert not check(admin, Perm.ORGANIZATION_DELETE)


def test_within_a_request_a_second_check_does_not_even_reach_the_cache(django_assert_num_queries, monkeypatch):
    admin = MembershipFactory(role=Role.ADMIN)
    requestcache.start()
    try:
        assert check(admin)
        calls = []
        monkeypatch.setattr(permissions, "_from_cache", lambda *a: calls.append(a) or frozenset())
        assert check(admin)
        assert calls == []
    finally:
        requestcache.clear()


def test_non_members_have_no_permissions():
    outsider = MembershipFactory(role=Role.OWNER)
    other_org = MembershipFactory().organization

    assert permissions_for(organization_public_id=other_org.public_id, user_id=outsider.user.pk) == frozenset()


def test_a_downgrade_is_seen_by_the_very_next_check(commit):
    owner = MembershipFactory(role=Role.OWNER)
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    assert check(admin)  # now cached

    with commit():
        services.membership_change_role(membership=admin, role=Role.VIEWER, actor=owner.user)

    assert not check(admin)


def test_a_removal_is_seen_by_the_very_next_check(commit):
    owner = MembershipFactory(role=Role.OWNER)
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    assert check(admin, Perm.ORGANIZATION_VIEW)

    with commit():
        services.membership_remove(membership=admin, actor=owner.user)

    assert not check(admin, Perm.ORGANIZATION_VIEW)


def test_a_computation_racing_a_change_cannot_store_a_live_stale_grant(monkeypatch):
    owner = MembershipFactory(role=Role.OWNER)
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    org_id, user_id = owner.organization.public_id, admin.user.pk
    real = permissions._from_database

    def read_then_change_commits(organization_public_id, uid):
        # The reader has already read the version; it reads the old role from the
        # database, then the downgrade commits and bumps the version before it stores.
        stale = real(organization_public_id, uid)
        if uid == user_id:
            monkeypatch.setattr(permissions, "_from_database", real)
            services.membership_change_role(membership=admin, role=Role.VIEWER, actor=owner.user)
            permissions.bump(org_id, user_id)  # what on_commit does once the transaction commits
        return stale

    monkeypatch.setattr(permissions, "_from_database", read_then_change_commits)
    assert Perm.MEMBERS_MANAGE in permissions_for(organization_public_id=org_id, user_id=user_id)  # the stale read

    assert Perm.MEMBERS_MANAGE not in permissions_for(organization_public_id=org_id, user_id=user_id)


def test_the_store_of_a_cache_object_goes_with_it(monkeypatch):
    # Django may make a cache object per thread or async context; their stores must not pile up.
    backend = caches.create_connection("default")
    monkeypatch.setattr(permissions, "caches", {"default": backend})
    store = permissions._store()
    assert permissions._store() is store
    assert store.backend is backend
    before = len(permissions._stores)

    monkeypatch.undo()
    del backend, store
    gc.collect()
    assert len(permissions._stores) == before - 1


def test_every_change_is_recorded_until_its_bump_is_confirmed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner = MembershipFactory(role=Role.OWNER)
        member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    assert not PermissionInvalidation.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.membership_change_role(membership=member, role=Role.VIEWER, actor=owner.user)
    assert PermissionInvalidation.objects.filter(user_id=member.user.pk).exists()

    for callback in callbacks:
        callback()
    assert not PermissionInvalidation.objects.filter(user_id=member.user.pk).exists()


def test_with_redis_down_checks_read_the_database_and_succeed(private_redis, django_assert_num_queries):
    owner = MembershipFactory(role=Role.OWNER)
    with override_settings(CACHES=redis_cache(private_redis.port)):
        assert check(owner)  # warm it in the real Redis
        with django_assert_num_queries(0):
            assert check(owner)

        private_redis.stop()
        caches["default"].close()

        with django_assert_num_queries(1):
            assert check(owner), "the database answers while Redis is down"


def test_a_bump_that_fails_is_replayed_so_no_revoked_grant_survives(private_redis, commit):
    with override_settings(CACHES=redis_cache(private_redis.port)):
        with commit():
            owner = MembershipFactory(role=Role.OWNER)
            admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
        assert check(admin)  # cached as admin

        # Redis stops answering (it keeps its data) exactly when the downgrade commits:
        # the bump times out...
        pause_ms = 1500
        private_redis.pause(pause_ms)
        paused_at = time.monotonic()
        with commit():
            services.membership_change_role(membership=admin, role=Role.VIEWER, actor=owner.user)
        # ...but the change was recorded with the transaction, and the replay job bumps it.
        assert PermissionInvalidation.objects.filter(user_id=admin.user.pk).exists()
        time.sleep(max(0.0, pause_ms / 1000 + 0.2 - (time.monotonic() - paused_at)))

        assert permissions.replay_pending_invalidations(older_than_seconds=0) == 1

        assert not check(admin)
        assert not PermissionInvalidation.objects.exists()
