"""The committed contracts: each version's OpenAPI document and the changelog, in docs/api/.

A released version's document is frozen: ``manage.py api_contract`` (and the
test suite) regenerate every version and fail on any difference. Only the
unreleased newest version may change, with ``manage.py api_contract --write``;
a released one only as a recorded correction (``--correct``, api.versioning.Correction).
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from .versions import VERSIONS


def folder() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "api"


def schema_path(version: str) -> Path:
    return folder() / f"{version}.yaml"


def changelog_path() -> Path:
    return folder() / "changelog.md"


def generate(version: str) -> str:
    generator = SchemaGenerator(api_version=version)  # type: ignore[no-untyped-call]
    schema = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    rendered: bytes = OpenApiYamlRenderer().render(schema, renderer_context={})  # type: ignore[no-untyped-call]
    return rendered.decode()


@dataclass(frozen=True)
class Difference:
    path: Path
    frozen: bool  # a released version's contract: the code must change back, not the file

    def __str__(self) -> str:
        if self.frozen:
            return (
                f"{self.path.name}: the released contract changed. Released versions are frozen: translate the "
                "change for them with a version change (api/versions.py) instead."
            )
        return f"{self.path.name} is out of date: run manage.py api_contract --write and commit it."


def differences() -> list[Difference]:
    """Every committed contract that the code no longer produces."""
    found = []
    for version in VERSIONS.versions:
        path = schema_path(version.name)
        if not path.exists() or path.read_text(encoding="utf-8") != generate(version.name):
            found.append(Difference(path, frozen=version.released is not None and path.exists()))
    path = changelog_path()
    if not path.exists() or path.read_text(encoding="utf-8") != VERSIONS.changelog():
        found.append(Difference(path, frozen=False))
    return found


class NoCorrection(Exception):
    """A released contract may only be rewritten as a correction listed in its version's ``corrections``."""


def write(correct: tuple[str, ...] = ()) -> list[Path]:
    """Write what may change (unreleased versions, new files, the changelog); return what was written.

    ``correct`` names released versions whose contract is rewritten too: each must list a
    ``Correction`` (api.versioning) that says why, which the changelog then shows.
    """
    for name in correct:
        if not VERSIONS[name].corrections:
            raise NoCorrection(f"{name} lists no Correction (api/versions.py): say what the contract got wrong first.")
    corrected = {schema_path(name) for name in correct}
    folder().mkdir(parents=True, exist_ok=True)
    written = []
    for difference in differences():
        if difference.frozen and difference.path not in corrected:
            continue
        name = difference.path.name
        content = VERSIONS.changelog() if difference.path == changelog_path() else generate(name.removesuffix(".yaml"))
        difference.path.write_text(content, encoding="utf-8")
        written.append(difference.path)
    return written
