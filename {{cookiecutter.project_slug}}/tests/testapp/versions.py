"""Test-only API versions, whatever versions the project has: the version machinery's tests run on these.

Never registered in api.versions.VERSIONS: a test hands them to the module it tests (``monkeypatch``).
"old" is released; "new", unreleased, renamed the testapp's widget ``title`` to ``name``.
"""

import datetime

from {{ cookiecutter.project_slug }}.api.versioning import Correction, RenameField, Version, Versions

RELEASED = datetime.date(2025, 1, 6)
RENAME = RenameField(
    resources=("Widget", "WidgetInput", "WidgetListQuery"),
    old="title",
    new="name",
    ordering=True,
    filter=True,
    description="Widgets: `title` is renamed `name`, also as an ordering and a filter of the list.",
)


def versions(*corrections: Correction) -> Versions:
    """Version "new" (unreleased, with the rename) above "old" (released, its contract corrected by ``corrections``)."""
    return Versions(
        Version("new", released=None, changes=(RENAME,)),
        Version("old", released=RELEASED, corrections=corrections),
    )
