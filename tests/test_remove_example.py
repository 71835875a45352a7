"""scripts/remove_example.py on a baked project: no trace of the example is left, and the project still works.

The copy shares the installed project's virtualenv (the project is not installed into it, so the copy's own
code is what runs). The docs lose their passages about the example with it; the load-test profile still names it
(it drives the example's endpoints; its README says to point it at your own).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SKIPPED, Project, assert_ok, traces

pytestmark = [pytest.mark.slow]


def copy_of(project: Project, where: Path) -> Project:
    copy = where / project.slug
    shutil.copytree(project.path, copy, ignore=shutil.ignore_patterns(*SKIPPED))
    (copy / ".venv").symlink_to(project.path / ".venv")
    return Project(copy, project.variation)


# Its own xdist group: another worker installs the default project again (from uv's cache) rather than lengthen
# the default project's group, the longest.
@pytest.mark.parametrize(
    "installed_project", [pytest.param("default", marks=pytest.mark.xdist_group("remove-example"))], indirect=True
)
def test_removing_the_example_leaves_no_trace_and_a_working_project(installed_project: Project, tmp_path: Path):
    project = copy_of(installed_project, tmp_path)
    assert traces(project.path)  # the example is there to begin with

    removed = project.run("python", "scripts/remove_example.py")

    assert_ok(removed)
    assert "The docs still name the example here" not in removed.stdout  # their passages went with it
    assert traces(project.path) == []
    assert not (project.path / "scripts" / "remove_example.py").exists()
    assert_ok(project.run("python", "manage.py", "check", "--fail-level", "WARNING"))
    assert_ok(project.run("python", "manage.py", "makemigrations", "--check", "--dry-run"))
    assert_ok(project.run("python", "manage.py", "api_contract"))  # the rewritten contracts are what it serves
    assert_ok(project.run("lint-imports"))
    assert_ok(project.run("ruff", "check", "."))
    assert_ok(project.run("mypy", "."))
    suite = ["tests/api/test_tenancy.py", "tests/api/test_contracts.py", "tests/organizations/test_seed_demo.py"]
    assert_ok(project.run("python", "-m", "pytest", *suite, "-q", "-p", "no:cacheprovider", timeout=900))
