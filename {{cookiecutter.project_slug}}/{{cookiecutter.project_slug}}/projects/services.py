"""Every write to projects goes through here."""

import datetime
from typing import Any

from django.db import transaction

from {{ cookiecutter.project_slug }}.core.exceptions import InvalidInput, PermissionDenied
from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission

from .models import Project, name_search_key

UNSET: Any = object()


def _require_edit(actor: Any, organization: Organization) -> None:
    if not has_permission(user=actor, organization_public_id=organization.public_id, permission=Perm.PROJECTS_EDIT):
        raise PermissionDenied("You may not change projects in this organization.")


def _check_dates(starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput("A project cannot end before it starts.")


@transaction.atomic
def project_create(
    *,
    organization: Organization,
    actor: Any,
    name: str,
    description: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Project:
    _require_edit(actor, organization)
    _check_dates(starts_on, ends_on)
    return Project.objects.create(
        organization=organization,
        name=name,
        name_search=name_search_key(name),
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
    )


@transaction.atomic
def project_update(
    *,
    project: Project,
    actor: Any,
    name: str = UNSET,
    description: str = UNSET,
    starts_on: datetime.date | None = UNSET,
    ends_on: datetime.date | None = UNSET,
) -> Project:
    """Change the given fields only (a partial update)."""
    _require_edit(actor, project.organization)
    changes = {
        field: value
        for field, value in {
            "name": name,
            "description": description,
            "starts_on": starts_on,
            "ends_on": ends_on,
        }.items()
        if value is not UNSET
    }
    if "name" in changes:
        changes["name_search"] = name_search_key(name)
    for field, value in changes.items():
        setattr(project, field, value)
    _check_dates(project.starts_on, project.ends_on)
    if changes:
        project.save(update_fields=[*changes, "updated_at"])
    return project


@transaction.atomic
def project_delete(*, project: Project, actor: Any) -> None:
    _require_edit(actor, project.organization)
    project.delete()
