"""Every write to projects goes through here."""

import datetime
import enum
from typing import Final

from django.db import transaction

from {{ cookiecutter.project_slug }}.billing.entitlements import limit_of, require_within
from {{ cookiecutter.project_slug }}.billing.plans import Limit
from {{ cookiecutter.project_slug }}.core.exceptions import InvalidInput, PermissionDenied
from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.organizations.permissions import has_permission
from {{ cookiecutter.project_slug }}.organizations.principals import Principal

from .models import Project, name_search_key
from .permissions import ProjectPerm


class Unset(enum.Enum):
    """A field a partial update leaves alone (None is a value: it clears a date)."""

    UNSET = enum.auto()


UNSET: Final = Unset.UNSET


def _require_edit(actor: Principal, organization: Organization) -> None:
    if not has_permission(user=actor, organization_public_id=organization.public_id, permission=ProjectPerm.EDIT):
        raise PermissionDenied("You may not change projects in this organization.")


def _check_dates(starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput("A project cannot end before it starts.")


def _require_room(actor: Principal, organization: Organization) -> None:
    """Refuse a project beyond the plan's limit (billing's ``resources``): PlanLimitReached, 402 in the API."""
    if limit_of(organization.public_id, Limit.RESOURCES, principal=actor) is None:
        return  # no limit: no count and no lock
    # Creates in one organization queue on its row, so two at once cannot both take the last place.
    Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk", flat=True).get()
    used = Project.objects.filter(organization=organization).count()
    require_within(organization.public_id, Limit.RESOURCES, used=used, noun="projects", principal=actor)


@transaction.atomic
def project_create(
    *,
    organization: Organization,
    actor: Principal,
    name: str,
    description: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Project:
    _require_edit(actor, organization)
    _check_dates(starts_on, ends_on)
    _require_room(actor, organization)
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
    actor: Principal,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
    starts_on: datetime.date | Unset | None = UNSET,
    ends_on: datetime.date | Unset | None = UNSET,
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
    if name is not UNSET:
        changes["name_search"] = name_search_key(name)
    for field, value in changes.items():
        setattr(project, field, value)
    _check_dates(project.starts_on, project.ends_on)
    if changes:
        project.save(update_fields=[*changes, "updated_at"])
    return project


@transaction.atomic
def project_delete(*, project: Project, actor: Principal) -> None:
    _require_edit(actor, project.organization)
    project.delete()
