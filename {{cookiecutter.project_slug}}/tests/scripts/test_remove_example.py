"""scripts/remove_example.py says what it would delete, and changes nothing when the tree is not as generated.

The docs name the example only in the passages marked as about it, which it deletes.

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
    for path in remove_example.docs(ROOT):
        (tmp_path / path.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, tmp_path / path.relative_to(ROOT))
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
    assert "strip    docs/database.md: delete lines " in out
    assert snapshot(tree) == before


def test_the_docs_name_the_example_only_in_their_marked_passages(tree):
    remove_example.apply(remove_example.plan(tree))

    assert remove_example.mentions(tree) == []
    docs = "".join(path.read_text(encoding="utf-8") for path in remove_example.docs(tree))
    assert "example -->" not in docs
    assert "without-example" not in docs


def damage_the_app(tree: Path) -> None:
    shutil.rmtree(tree / PACKAGE / "projects")


def damage_the_settings(tree: Path) -> None:
    settings = tree / "config/settings/base.py"
    settings.write_text(settings.read_text().replace(f'"{PACKAGE}.projects"', f'"{PACKAGE}.projects.apps.X"'))


def damage_the_layers(tree: Path) -> None:
    pyproject = tree / "pyproject.toml"
    line = f'    "({PACKAGE}.projects)",\n'
    pyproject.write_text(pyproject.read_text().replace(line, line * 2))


def open_a_passage_never_closed(tree: Path) -> None:
    jobs = tree / "docs/jobs.md"
    jobs.write_text("<!-- example -->\n" + jobs.read_text())


def close_a_passage_never_opened(tree: Path) -> None:
    readme = tree / "README.md"
    readme.write_text("<!-- /example -->\n" + readme.read_text())


def open_a_passage_inside_another(tree: Path) -> None:
    readme = tree / "README.md"
    readme.write_text("<!-- example -->\n<!-- example -->\n<!-- /example -->\n" + readme.read_text())


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (damage_the_app, f"{PACKAGE}/projects/ is missing"),
        (open_a_passage_never_closed, "docs/jobs.md:1: '<!-- example -->' is never closed by '<!-- /example -->'"),
        (close_a_passage_never_opened, "README.md:1: '<!-- /example -->' closes no '<!-- example -->'"),
        (open_a_passage_inside_another, "README.md:2: '<!-- example -->' inside the passage opened on line 1"),
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
