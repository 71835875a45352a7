"""Delete the worked example (the ``projects`` app) in one commit: python scripts/remove_example.py

Standard library only. The platform never names the example, so this is mostly deletions:

- the app (its models, API, pages, templates, migrations, demo data, commands) and its tests;
- this script, whose work is then done;
- the two lines that name it: its entry in INSTALLED_APPS and its layer in the import contracts;
- the committed API contracts (``docs/api/``), which are written again without the example's
  operations by ``manage.py api_contract --write``.

It first checks that the tree is as generated; if anything is missing or has moved it changes nothing and
says what it expected. ``--dry-run`` only says what it would do. It lists the lines of the docs that still
name the example, for you to reword.

A database that ran the example's migrations keeps its tables: drop them first with
``manage.py migrate projects zero`` while the app is still there.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "{{ cookiecutter.project_slug }}"
ROOT = Path(__file__).resolve().parent.parent

# Deleted whole; each must be there.
REQUIRED = [f"{PACKAGE}/projects", "tests/projects"]
# Deleted when there: pages and assets the example may keep outside its app, and this script with its test.
OPTIONAL = [
    f"{PACKAGE}/templates/projects",
    f"{PACKAGE}/static/projects",
    "tests/e2e/test_projects.py",
    "tests/scripts/test_remove_example.py",
    "scripts/remove_example.py",
]
# The API contracts, written again without the example.
CONTRACTS = "docs/api"
# (file, exact line) removed from shared files; each line must be there exactly once.
LINES = [
    ("config/settings/base.py", f'    "{PACKAGE}.projects",\n'),
    ("pyproject.toml", f'    "({PACKAGE}.projects)",\n'),
]
MENTION = re.compile(r"\bprojects\b|\bProjects?\b")


class NotAsExpected(Exception):
    """The tree is not as generated; the message says what differs."""


@dataclass
class Plan:
    delete: list[Path]
    edits: list[tuple[Path, str]]
    contracts: list[Path]


def plan(root: Path) -> Plan:
    """What to delete and edit; NotAsExpected, naming every difference, if the tree is not as generated."""
    problems = [f"{path}/ is missing" for path in REQUIRED if not (root / path).is_dir()]
    edits = []
    for name, line in LINES:
        path = root / name
        count = path.read_text(encoding="utf-8").splitlines(keepends=True).count(line) if path.exists() else 0
        if count != 1:
            problems.append(f"{name}: expected the line {line.strip()!r} once, found it {count} time(s)")
        edits.append((path, line))
    contracts = sorted((root / CONTRACTS).glob("*.yaml"))
    if not contracts:
        problems.append(f"{CONTRACTS}/ holds no contract (*.yaml)")
    if problems:
        raise NotAsExpected("; ".join(problems))
    optional = [root / path for path in OPTIONAL if (root / path).exists()]
    return Plan(delete=[root / path for path in REQUIRED] + optional, edits=edits, contracts=contracts)


def apply(work: Plan) -> None:
    for path in work.delete:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    for path, line in work.edits:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines.remove(line)
        path.write_text("".join(lines), encoding="utf-8")
    for path in work.contracts:
        path.unlink()


def write_contracts(root: Path) -> None:
    """Write the API contracts again, now without the example's operations (with this Python and its Django)."""
    command = [sys.executable, "manage.py", "api_contract", "--write"]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        raise NotAsExpected(
            "the example is deleted, but writing the API contracts failed; run `uv run manage.py api_contract "
            f"--write` once it can:\n{done.stderr.strip()}"
        )


def mentions(root: Path) -> list[str]:
    """Lines of the docs that still name the example (prose for a person to reword)."""
    found = []
    for path in sorted([root / "README.md", *(root / "docs").glob("*.md"), *(root / "loadtests").glob("*.md")]):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if MENTION.search(text):
                found.append(f"{path.relative_to(root)}:{number}: {text.strip()[:100]}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project's folder (default: this script's)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        work = plan(root)
    except NotAsExpected as error:
        print(f"remove_example: nothing changed: {error}.", file=sys.stderr)
        return 1
    for path in work.delete:
        print(f"delete   {path.relative_to(root)}{'/' if path.is_dir() else ''}")
    for path, line in work.edits:
        print(f"edit     {path.relative_to(root)}: remove {line.strip()}")
    for path in work.contracts:
        print(f"rewrite  {path.relative_to(root)}")
    if args.dry_run:
        return 0
    apply(work)
    try:
        write_contracts(root)
    except NotAsExpected as error:
        print(f"remove_example: {error}", file=sys.stderr)
        return 1
    left = mentions(root)
    if left:
        print("\nThe docs still name the example here; reword them:")
        print("\n".join(f"  {line}" for line in left))
    print("\nDone: review with `git status`, run the tests, and commit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
