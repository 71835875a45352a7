"""The projects' permissions, added to the organization roles by ``ProjectsConfig.ready``."""

from enum import StrEnum

from {{ cookiecutter.project_slug }}.organizations.permissions import register_permissions


class ProjectPerm(StrEnum):
    VIEW = "projects.view"
    EDIT = "projects.edit"


def register() -> None:
    """Every role may view projects; members and up may edit them; API keys may be given both."""
    register_permissions(read=[ProjectPerm.VIEW], write=[ProjectPerm.EDIT])
