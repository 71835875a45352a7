"""Scheduled upkeep: registered with the single scheduler (manage.py crontab), and each job does its work."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from dramatiq_crontab import scheduler

from {{ cookiecutter.project_slug }}.core import tasks as core_tasks
from {{ cookiecutter.project_slug }}.core.models import CompletedJob
from {{ cookiecutter.project_slug }}.organizations import tasks as organization_tasks
from {{ cookiecutter.project_slug }}.organizations.models import Invitation, PermissionInvalidation, Role

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_upkeep_jobs_are_scheduled():
    scheduled = {job.name for job in scheduler.get_jobs()}

    assert {
        "purge_expired_sessions",
        "purge_completed_job_records",
        "replay_permission_invalidations",
        "purge_expired_invitations",
    } <= scheduled


def test_expired_sessions_are_purged():
    Session.objects.create(session_key="old", session_data="", expire_date=timezone.now() - timedelta(days=1))
    Session.objects.create(session_key="live", session_data="", expire_date=timezone.now() + timedelta(days=1))

    core_tasks.purge_expired_sessions.fn()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_old_idempotency_records_are_forgotten(settings):
    settings.JOBS_IDEMPOTENCY_RETENTION_DAYS = 14
    old = CompletedJob.objects.create(key="old", actor="x")
    CompletedJob.objects.filter(pk=old.pk).update(completed_at=timezone.now() - timedelta(days=15))
    CompletedJob.objects.create(key="recent", actor="x")

    core_tasks.purge_completed_job_records.fn()

    assert list(CompletedJob.objects.values_list("key", flat=True)) == ["recent"]


def test_invitations_closed_long_ago_are_purged():
    owner = MembershipFactory(role=Role.OWNER)
    now = timezone.now()
    for name, expires in (("old", now - timedelta(days=31)), ("open", now + timedelta(days=3))):
        Invitation.objects.create(
            organization=owner.organization,
            email=f"{name}@example.com",
            token_hash=name * 8,
            sent_at=now - timedelta(days=40),
            expires_at=expires,
        )

    organization_tasks.purge_expired_invitations.fn()

    assert list(Invitation.objects.values_list("email", flat=True)) == ["open@example.com"]


def test_pending_permission_invalidations_are_replayed():
    owner = MembershipFactory(role=Role.OWNER)
    record = PermissionInvalidation.objects.create(
        organization_public_id=owner.organization.public_id, user_id=owner.user.pk
    )
    PermissionInvalidation.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(minutes=1))

    organization_tasks.replay_permission_invalidations.fn()

    assert not PermissionInvalidation.objects.filter(pk=record.pk).exists()
