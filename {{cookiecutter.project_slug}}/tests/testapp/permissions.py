from enum import StrEnum

from {{ cookiecutter.project_slug }}.organizations.permissions import register_permissions


class WidgetPerm(StrEnum):
    VIEW = "widgets.view"
    EDIT = "widgets.edit"


def register() -> None:
    register_permissions(read=[WidgetPerm.VIEW], write=[WidgetPerm.EDIT])
