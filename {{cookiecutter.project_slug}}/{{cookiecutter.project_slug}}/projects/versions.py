"""The projects' API version changes, registered beside the resource they change (api.versions lists the versions).

Imported by ``ProjectsConfig.ready``: v2 renamed ``title`` to ``name`` and split ``timeframe``
into two dates; v1's contract was corrected once.
"""

import datetime

from rest_framework.exceptions import ValidationError

from {{ cookiecutter.project_slug }}.api.versioning import Correction, Data, RenameField, VersionChange
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

PROJECT_INPUTS = ("ProjectCreateInput", "ProjectUpdateInput")
OPEN = ".."


class SplitProjectTimeframe(VersionChange):
    """v1's ``timeframe`` ("2025-01-06/2025-03-28", ".." for an open end, null for none) became two dates."""

    description = (
        "Projects: `timeframe` (an ISO 8601 interval such as `2025-01-06/2025-03-28`, `..` for an open end) is "
        "split into two dates, `starts_on` and `ends_on`, each null when unknown."
    )

    def request_up(self, resource: str, data: Data) -> Data:
        if resource not in PROJECT_INPUTS or "timeframe" not in data:
            return data
        data = dict(data)
        value = data.pop("timeframe")
        if value is None:
            return {**data, "starts_on": None, "ends_on": None}
        if not isinstance(value, str) or value.count("/") != 1:
            raise ValidationError({"timeframe": ["Use start/end, e.g. 2025-01-06/2025-03-28 (.. for an open end)."]})
        start, end = value.split("/")
        return {**data, "starts_on": None if start == OPEN else start, "ends_on": None if end == OPEN else end}

    def response_down(self, resource: str, data: Data) -> Data:
        if resource != "Project":
            return data
        result: Data = {}
        for key, value in data.items():
            if key == "starts_on":
                ends_on = data.get("ends_on")
                result["timeframe"] = (
                    None if value is None and ends_on is None else f"{value or OPEN}/{ends_on or OPEN}"
                )
            elif key != "ends_on":
                result[key] = value
        return result

    def error_field_down(self, resource: str, name: str) -> str:
        return "timeframe" if resource in PROJECT_INPUTS and name in ("starts_on", "ends_on") else name

    def schema_down(self, document: Data) -> None:
        timeframe: dict[str, object] = {
            "type": ["string", "null"],
            "pattern": r"^(\d{4}-\d{2}-\d{2}|\.\.)/(\d{4}-\d{2}-\d{2}|\.\.)$",
            "description": "start/end as ISO 8601 dates, `..` for an open end; null when neither is known.",
            "example": "2025-01-06/2025-03-28",
        }
        schemas = document["components"]["schemas"]
        for name in ("Project", *PROJECT_INPUTS):
            component = schemas[name]
            properties: Data = {}
            for key, value in component["properties"].items():
                if key == "starts_on":
                    properties["timeframe"] = timeframe
                elif key != "ends_on":
                    properties[key] = value
            component["properties"] = properties
            if "required" in component:
                required = [key for key in component["required"] if key not in ("starts_on", "ends_on")]
                component["required"] = [*required, "timeframe"] if name == "Project" else required


def register() -> None:
    """Add the projects' changes to the API's versions (ProjectsConfig.ready)."""
    VERSIONS.register(
        "v2",
        changes=(
            RenameField(
                resources=("Project", *PROJECT_INPUTS, "ProjectListQuery"),
                old="title",
                new="name",
                ordering=True,
                filter=True,
                description="Projects: `title` is renamed `name`, also as an ordering and a filter of the list.",
            ),
            SplitProjectTimeframe(),
        ),
    )
    VERSIONS.register(
        "v1",
        corrections=(
            Correction(
                on=datetime.date(2026, 12, 3),
                description="the contract now states what the server always enforced: a project's `title` may not "
                "be blank (`minLength: 1`). Nothing changes for clients that followed the contract. The server now "
                "refuses what the contract never allowed: a number where a string is expected (it was turned into "
                "text) and a body or query with both `title` and `name` (one of the two was silently dropped).",
            ),
        ),
    )
