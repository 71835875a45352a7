"""Every version of the API, newest first (docs/api.md: adding a version).

A version's changes translate from the version below it to it; each resource
registers the changes it made beside itself (``<app>/versions.py``, imported by
its ``AppConfig.ready``), so this list names no resource. The newest version is
what the handlers are written for; its ``released`` date is None until it is
released, and only then is its schema frozen.
"""

import datetime
from collections.abc import Mapping

from .versioning import Version, Versions

VERSIONS = Versions(
    Version("v2", released=None),
    Version("v1", released=datetime.date(2025, 1, 6)),
)


def field_name_for_client(context: Mapping[str, object], name: str) -> str:
    """A field of a validation error as the client's version calls it (api.errors)."""
    request = context.get("request")
    resource = getattr(request, "api_resource", None)
    version = getattr(request, "version", None)
    if resource is None or version is None:
        return name
    head, dot, rest = name.partition(".")
    return VERSIONS.error_field_down(version, resource, head) + dot + rest
