"""scripts/remove_example.py says what it would delete, and changes nothing when the tree is not as generated.

The template's tests run it for real on a baked project and check that no trace of the example is left.
"""

import shutil
from pathlib import Path

import pytest

from ..helpers import ROOT, load_script

remove_example = load_script("remove_example")
PACKAGE = remove_example.PACKAGE


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The files the script reads and changes, copied from this project."""
    for folder in remove_example.REQUIRED:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name, _ in remove_example.LINES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / remove_example.CONTRACTS, tmp_path / remove_example.CONTRACTS)
    return tmp_path


def snapshot(root: Path) -> dict[Path, bytes]:
    return {path.relative_to(root): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(tree, capsys):
    before = snapshot(tree)

    assert remove_example.main(["--root", str(tree), "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert f"delete   {PACKAGE}/projects/" in out
    assert "delete   tests/projects/" in out
    assert f'edit     config/settings/base.py: remove "{PACKAGE}.projects",' in out
    assert f'edit     pyproject.toml: remove "({PACKAGE}.projects)",' in out
    assert "rewrite  docs/api/v1.yaml" in out
    assert snapshot(tree) == before


def damage_the_app(tree: Path) -> None:
    shutil.rmtree(tree / PACKAGE / "projects")


def damage_the_settings(tree: Path) -> None:
    settings = tree / "config/settings/base.py"
    settings.write_text(settings.read_text().replace(f'"{PACKAGE}.projects"', f'"{PACKAGE}.projects.apps.X"'))


def damage_the_layers(tree: Path) -> None:
    pyproject = tree / "pyproject.toml"
    line = f'    "({PACKAGE}.projects)",\n'
    pyproject.write_text(pyproject.read_text().replace(line, line * 2))


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (damage_the_app, f"{PACKAGE}/projects/ is missing"),
        (damage_the_settings, f"config/settings/base.py: expected the line '\"{PACKAGE}.projects\",' once, found it 0"),
        (damage_the_layers, f"pyproject.toml: expected the line '\"({PACKAGE}.projects)\",' once, found it 2"),
    ],
)
def test_a_tree_not_as_generated_is_refused_and_left_as_it_is(tree, capsys, damage, said):
    damage(tree)
    before = snapshot(tree)

    assert remove_example.main(["--root", str(tree)]) == 1

    err = capsys.readouterr().err
    assert err.startswith("remove_example: nothing changed: ")
    assert said in err
    assert snapshot(tree) == before
