"""Versions of the public API, Stripe's way: handlers are written once, for the newest version.

An older version is derived by the ordered list of *version changes* that came
after it. Each change translates a request up (from the version before it to
the version that introduced it), a response down, the field names in
validation errors down, and the OpenAPI document down. A request to an older
version therefore goes up through every change of each version after it, the
handler runs, and the response comes back down the same way.

Changes work on *resources*: the component names of serializers in the schema,
set with ``@resource("Invoice")``. The versions are listed in ``api.versions``;
each resource registers its changes beside itself (``<app>/versions.py``).
docs/api.md explains how to add a version and a change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

type Data = dict[str, Any]  # a JSON object as parsed (a body, a query, an OpenAPI document), read by key


def resource[S: type[serializers.BaseSerializer[Any]]](name: str) -> Callable[[S], S]:
    """Name a serializer's resource: its component name in the schema, which version changes refer to."""

    def decorate(cls: S) -> S:
        cls.resource = name  # type: ignore[attr-defined]
        return extend_schema_serializer(component_name=name)(cls)

    return decorate


def resource_of[T](serializer_class: type[serializers.BaseSerializer[T]]) -> str:
    name = getattr(serializer_class, "resource", None)
    if not isinstance(name, str):
        raise TypeError(f"{serializer_class.__name__} needs @resource(...) to be used in a versioned view")
    return name


class VersionChange:
    """One breaking change. Subclass it, describe it, and override the translations it needs."""

    description: str = ""

    def request_up(self, resource: str, data: Data) -> Data:
        """Turn a request body of the version before this change into one of the version after it."""
        return data

    def query_up(self, resource: str, params: Data) -> Data:
        """The same for the query parameters of a list (filters, ordering)."""
        return params

    def response_down(self, resource: str, data: Data) -> Data:
        """Turn a response object of the version after this change into one of the version before it."""
        return data

    def error_field_down(self, resource: str, name: str) -> str:
        """The name a client of the older version knows a field by, for validation errors."""
        return name

    def schema_down(self, document: Data) -> None:
        """Edit the OpenAPI document of the version after this change into the one before it, in place."""


@dataclass(frozen=True)
class RenameField(VersionChange):
    """A field that was called ``old`` before this change and ``new`` after it, in these resources."""

    resources: tuple[str, ...]
    old: str
    new: str
    description: str = ""
    ordering: bool = False  # also accept ``old`` and ``-old`` as ordering values of lists
    filter: bool = False  # also accept ``old`` as a filter of lists

    def request_up(self, resource: str, data: Data) -> Data:
        if resource not in self.resources:
            return data
        self._refuse_both(data)
        return _renamed(data, self.old, self.new)

    def query_up(self, resource: str, params: Data) -> Data:
        if resource not in self.resources:
            return params
        params = dict(params)
        if self.ordering and params.get("ordering") in (self.old, f"-{self.old}"):
            params["ordering"] = params["ordering"].replace(self.old, self.new)
        if self.filter and self.old in params:
            self._refuse_both(params)
            params[self.new] = params.pop(self.old)
        return params

    def _refuse_both(self, data: Data) -> None:
        """One value under both names is ambiguous: refuse it rather than keep one silently."""
        if self.old in data and self.new in data:
            message = f"Send `{self.old}` only: `{self.new}` is its name in later versions."
            raise ValidationError({self.old: [message]}, code="invalid")

    def response_down(self, resource: str, data: Data) -> Data:
        return _renamed(data, self.new, self.old) if resource in self.resources else data

    def error_field_down(self, resource: str, name: str) -> str:
        return self.old if resource in self.resources and name == self.new else name

    def schema_down(self, document: Data) -> None:
        components = document.get("components", {}).get("schemas", {})
        for name in self.resources:
            component = components.get(name)
            if component is None:
                continue
            component["properties"] = _renamed(component["properties"], self.new, self.old)
            if "required" in component:
                component["required"] = [self.old if key == self.new else key for key in component["required"]]
        for operation in operations(document):
            for parameter in operation.get("parameters", []):
                if self.filter and parameter.get("in") == "query" and parameter["name"] == self.new:
                    parameter["name"] = self.old
                if self.ordering and parameter.get("name") == "ordering":
                    values = parameter["schema"].get("enum", [])
                    parameter["schema"]["enum"] = [
                        value.replace(self.new, self.old) if value.lstrip("-") == self.new else value
                        for value in values
                    ]


def _renamed(data: Data, old: str, new: str) -> Data:
    """The same mapping with the key ``old`` called ``new``, in the same place."""
    return {new if key == old else key: value for key, value in data.items()} if old in data else data


def operations(document: Data) -> list[Data]:
    methods = {"get", "post", "put", "patch", "delete"}
    return [op for path in document.get("paths", {}).values() for method, op in path.items() if method in methods]


@dataclass(frozen=True)
class Correction:
    """A released contract rewritten to say what the server really accepts, never to change what clients get.

    The one exception to "released contracts are frozen": when the contract understated or
    misdescribed the server (a limit it always enforced, input it should always have refused).
    ``manage.py api_contract --write --correct <version>`` rewrites the contract; the changelog
    lists the correction under the version.
    """

    on: date
    description: str


@dataclass(frozen=True)
class Version:
    """A version of the API and the changes that made it differ from the version before it."""

    name: str  # as in the URL: "v1"
    released: date | None  # None: not released yet, so its contract may still change
    changes: tuple[VersionChange, ...] = field(default=())
    corrections: tuple[Correction, ...] = field(default=())  # of its contract, after its release


class Versions:
    """The ordered versions (newest first) and the translations between them."""

    def __init__(self, *versions: Version) -> None:
        if not versions:
            raise ValueError("an API needs at least one version")
        self.versions = versions
        self.names = [version.name for version in versions]
        self.latest = versions[0]
        self._index()

    def _index(self) -> None:
        # For each version, the changes that came after it, oldest first.
        self._after: dict[str, list[VersionChange]] = {}
        for index, version in enumerate(self.versions):
            newer = reversed(self.versions[:index])
            self._after[version.name] = [change for later in newer for change in later.changes]

    def register(
        self, name: str, *, changes: tuple[VersionChange, ...] = (), corrections: tuple[Correction, ...] = ()
    ) -> None:
        """Add a resource's changes (and contract corrections) to version ``name``.

        Each resource registers its own, beside itself (``<app>/versions.py``, imported by
        its ``AppConfig.ready``), so this machinery names no resource.
        """
        if name not in self.names:
            raise ValueError(f"unknown API version {name!r}; the versions are {', '.join(self.names)}")
        index = self.names.index(name)
        version = self.versions[index]
        version = replace(
            version, changes=(*version.changes, *changes), corrections=(*version.corrections, *corrections)
        )
        self.versions = (*self.versions[:index], version, *self.versions[index + 1 :])
        self.latest = self.versions[0]
        self._index()

    def __getitem__(self, name: str) -> Version:
        return self.versions[self.names.index(name)]

    def changes_after(self, name: str) -> list[VersionChange]:
        return self._after[name]

    def request_up(self, name: str, resource: str, data: Data) -> Data:
        for change in self._after[name]:
            data = change.request_up(resource, data)
        return data

    def query_up(self, name: str, resource: str, params: Data) -> Data:
        for change in self._after[name]:
            params = change.query_up(resource, params)
        return params

    def response_down(self, name: str, resource: str, data: Data) -> Data:
        for change in reversed(self._after[name]):
            data = change.response_down(resource, data)
        return data

    def error_field_down(self, name: str, resource: str, field_name: str) -> str:
        for change in reversed(self._after[name]):
            field_name = change.error_field_down(resource, field_name)
        return field_name

    def schema_down(self, name: str, document: Data) -> Data:
        for change in reversed(self._after[name]):
            change.schema_down(document)
        return document

    def changelog(self) -> str:
        """The changelog of version changes, in Markdown (committed as docs/api-changelog.md)."""
        lines = [
            "# API changelog",
            "",
            "Generated from `api/versions.py` by `manage.py api_contract --write`; do not edit by hand.",
            "Each version lists what changed from the version before it.",
            "",
        ]
        for version in self.versions:
            when = f"released {version.released.isoformat()}" if version.released else "not released yet"
            lines += [f"## {version.name} ({when})", ""]
            if version.changes:
                lines += [f"- {change.description}" for change in version.changes]
            else:
                lines.append("- The first version.")
            lines += [f"- Contract corrected {fix.on.isoformat()}: {fix.description}" for fix in version.corrections]
            lines.append("")
        return "\n".join(lines)
