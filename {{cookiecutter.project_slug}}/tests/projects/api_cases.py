"""The example's API endpoints for the platform's API-wide tests (tests/api/cases.py)."""

from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.projects.models import Project
from {{ cookiecutter.project_slug }}.projects.selectors import ORDERINGS

from tests.api.cases import SECRET, Operation
from tests.projects.factories import ProjectFactory

LIST = "organizations/{organization_id}/projects/"
ONE = "organizations/{organization_id}/projects/{project_id}/"
OPERATIONS: list[Operation] = [
    ("GET", LIST, None),
    ("POST", LIST, {"name": "x"}),
    ("GET", ONE, None),
    ("PATCH", ONE, {"name": "x"}),
    ("DELETE", ONE, None),
]


def make(organization: Organization) -> dict[str, str]:
    return {"project_id": str(ProjectFactory.create(organization=organization, name=SECRET).public_id)}


def unchanged(ids: dict[str, str]) -> bool:
    return Project.objects.filter(public_id=ids["project_id"], name=SECRET).exists()


def lists(version: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    def asked(ordering: str) -> str:
        return ordering.replace("name", "title") if version == "v1" else ordering  # v1 calls it title

    return [(LIST, ordering, asked(ordering), fields) for ordering, fields in ORDERINGS.items()]


def url(organization: Organization, project: Project | None = None) -> str:
    """The projects list, or one project, relative to /api/<version>/."""
    base = f"organizations/{organization.public_id}/projects/"
    return f"{base}{project.public_id}/" if project is not None else base
