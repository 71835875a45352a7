"""Reads of projects, always scoped to one organization."""

import uuid

from django.db.models import QuerySet

from {{ cookiecutter.project_slug }}.billing.entitlements import limit_of, limit_problem
from {{ cookiecutter.project_slug }}.billing.plans import Limit
from {{ cookiecutter.project_slug }}.core.exceptions import NotFound
from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.organizations.principals import Principal

from .models import Project, name_search_key

# The orderings a list may ask for, each backed by an index of Project.Meta.indexes
# (organization first, then these columns): tests/api/test_contracts.py holds this.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "created_at": ("public_id",),
    "-created_at": ("-public_id",),
    "name": ("name", "public_id"),
    "-name": ("-name", "-public_id"),
}


def projects_of(
    *, organization_public_id: uuid.UUID, name: str | None = None, search: str | None = None
) -> QuerySet[Project]:
    """The organization's projects: only those with exactly this name, or whose name starts like ``search``.

    ``search`` ignores case, accents and spacing (``name_search_key``) and uses the name_search index.
    """
    projects = Project.objects.filter(organization__public_id=organization_public_id)
    if name is not None:
        projects = projects.filter(name=name)
    if search and (key := name_search_key(search)):
        projects = projects.filter(name_search__startswith=key)
    return projects


def project_count(organization_public_id: uuid.UUID) -> int:
    """How many projects the organization has (what counts against its plan's ``resources``)."""
    return Project.objects.filter(organization__public_id=organization_public_id).count()


def creation_refused(*, organization_public_id: uuid.UUID, principal: Principal) -> str | None:
    """Why the plan would refuse one more project (what the page's create button says); None if it fits."""
    if limit_of(organization_public_id, Limit.RESOURCES, principal=principal) is None:
        return None  # no limit: nothing to count
    used = project_count(organization_public_id)
    return limit_problem(organization_public_id, Limit.RESOURCES, used=used, noun="projects", principal=principal)


def project_in(
    *, organization_public_id: uuid.UUID, public_id: str | uuid.UUID, with_organization: bool = True
) -> Project:
    """One project of the organization; another organization's project is simply not found.

    ``with_organization`` loads ``project.organization`` in the same query, which a change needs (its permission
    check). A read that shows only the project passes False: the organization's columns and instance cost about a
    tenth of a one-row read (docs/benchmarks.md in the template); the join that scopes the query stays.
    """
    try:
        project_id = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
        projects = Project.objects.select_related("organization") if with_organization else Project.objects.all()
        return projects.get(organization__public_id=organization_public_id, public_id=project_id)
    except (ValueError, Project.DoesNotExist):
        raise NotFound("No such project in this organization.") from None


def organization_of(*, public_id: uuid.UUID) -> Organization:
    """The organization a project is created in (the caller's permission was checked already)."""
    try:
        return Organization.objects.get(public_id=public_id)
    except Organization.DoesNotExist:
        raise NotFound("No such organization.") from None
