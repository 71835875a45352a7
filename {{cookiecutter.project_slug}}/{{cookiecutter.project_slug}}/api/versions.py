"""Every version of the API, newest first, with the changes each made (docs/api.md: adding a version).

A version's ``changes`` translate from the version below it to it. The newest
version is what the handlers are written for; its ``released`` date is None
until it is released, and only then is its schema frozen.
"""

import datetime
from typing import Any

from rest_framework.exceptions import ValidationError

from .versioning import Data, RenameField, Version, VersionChange, Versions

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
        timeframe: dict[str, Any] = {
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


VERSIONS = Versions(
    Version(
        "v2",
        released=None,
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
    ),
    Version("v1", released=datetime.date(2025, 1, 6)),
)
