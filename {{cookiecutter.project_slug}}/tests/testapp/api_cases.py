"""The test app's endpoints for the platform's API-wide tests (tests/api/cases.py); left out of the contracts."""

from {{ cookiecutter.project_slug }}.organizations.models import Organization

from tests.api.cases import SECRET, Operation
from tests.testapp.apis import ORDERINGS
from tests.testapp.factories import WidgetFactory
from tests.testapp.models import Widget

LIST = "organizations/{organization_id}/widgets/"
ONE = "organizations/{organization_id}/widgets/{widget_id}/"
OPERATIONS: list[Operation] = [
    ("GET", LIST, None),
    ("POST", LIST, {"name": "x"}),
    ("GET", ONE, None),
    ("DELETE", ONE, None),
]


def make(organization: Organization) -> dict[str, str]:
    return {"widget_id": str(WidgetFactory.create(organization=organization, name=SECRET).public_id)}


def unchanged(ids: dict[str, str]) -> bool:
    return Widget.objects.filter(public_id=ids["widget_id"], name=SECRET).exists()


def lists(version: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(LIST, ordering, ordering, fields) for ordering, fields in ORDERINGS.items()]
