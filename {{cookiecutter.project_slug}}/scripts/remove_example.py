"""Delete the worked example (the ``projects`` app) in one commit: python scripts/remove_example.py

Standard library only. The platform never names the example, so this is mostly deletions:

- the app (its models, API, pages, templates, migrations, demo data, commands) and its tests;
- this script, whose work is then done;
- the two lines that name it: its entry in INSTALLED_APPS and its layer in the import contracts;
- the committed API contracts (``docs/api/``), which are written again without the example's
  operations by ``manage.py api_contract --write``;
- the passages of the docs (README.md, docs/*.md, loadtests/*.md) marked as about the example. Each marker is
  an HTML comment alone on its line (indented as the text around it, if you like), so it never shows when
  the Markdown is rendered:

      <!-- example -->
      lines about the example: deleted, with both markers
      <!-- /example -->
      <!-- without-example: one line that takes the passage's place -->
      <!-- without-example
      lines that take the passage's place (a table, a paragraph)
      -->

  A ``without-example`` comment is kept as the text it holds, without the comment. Mark your own docs the
  same way and they follow.

It first checks that the tree is as generated; if anything is missing or has moved, or a marker is out of
place (never closed, closing nothing, or inside a passage), it changes nothing and says where. ``--dry-run`` only
says what it would do. Afterwards it lists the lines of the docs that still name the example (text you
wrote since, unmarked), for you to reword.

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
# The markers of the docs' passages about the example (see above).
EXAMPLE, END = "<!-- example -->", "<!-- /example -->"
WITHOUT_LINE = re.compile(r"(?P<indent>\s*)<!-- without-example: (?P<text>.*?) -->\s*")
WITHOUT, WITHOUT_END = "<!-- without-example", "-->"


class NotAsExpected(Exception):
    """The tree is not as generated; the message says what differs."""


@dataclass
class Doc:
    path: Path
    text: str  # without the example's passages
    passages: list[tuple[int, int]]  # the first and last line of each passage about the example, markers included
    kept: list[tuple[int, int]]  # the same of each without-example comment, kept as the text it holds


@dataclass
class Plan:
    delete: list[Path]
    edits: list[tuple[Path, str]]
    contracts: list[Path]
    docs: list[Doc]


def docs(root: Path) -> list[Path]:
    """The Markdown files whose prose may describe the example."""
    found = [root / "README.md", *root.glob("docs/*.md"), *root.glob("loadtests/*.md")]
    return sorted(path for path in found if path.is_file())


def unmarked(path: Path, root: Path) -> Doc:
    """The doc without its passages about the example; NotAsExpected naming the line of a marker out of place."""
    name = path.relative_to(root)
    out: list[str] = []
    passages: list[tuple[int, int]] = []
    replacements: list[tuple[int, int]] = []
    opened, inside = 0, ""  # the line and the marker that opened the passage being read
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(keepends=True), start=1):
        mark = line.strip()
        one_line = WITHOUT_LINE.fullmatch(line.rstrip("\n"))
        if inside == EXAMPLE:
            if mark in (EXAMPLE, WITHOUT) or one_line:
                raise NotAsExpected(f"{name}:{number}: {mark!r} inside the passage opened on line {opened}")
            if mark == END:
                passages.append((opened, number))
                inside = ""
        elif inside == WITHOUT:
            if mark == WITHOUT_END:
                replacements.append((opened, number))
                inside = ""
            else:
                out.append(line)
        elif mark == END:
            raise NotAsExpected(f"{name}:{number}: {END!r} closes no {EXAMPLE!r}")
        elif one_line:
            out.append(f"{one_line['indent']}{one_line['text']}\n")
            replacements.append((number, number))
        elif mark in (EXAMPLE, WITHOUT):
            opened, inside = number, mark
        elif mark or not follows_a_deleted_passage(out, passages, number):
            out.append(line)
    if inside:
        closing = END if inside == EXAMPLE else WITHOUT_END
        raise NotAsExpected(f"{name}:{opened}: {inside!r} is never closed by {closing!r}")
    return Doc(path, "".join(out), passages, replacements)


def follows_a_deleted_passage(out: list[str], passages: list[tuple[int, int]], number: int) -> bool:
    """Whether line ``number`` (blank) is the second of two blank lines that a deleted passage stood between."""
    return bool(passages) and passages[-1][1] == number - 1 and (not out or not out[-1].strip())


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
    marked = []
    for path in docs(root):
        try:
            marked.append(unmarked(path, root))
        except NotAsExpected as error:
            problems.append(str(error))
    if problems:
        raise NotAsExpected("; ".join(problems))
    optional = [root / path for path in OPTIONAL if (root / path).exists()]
    delete = [root / path for path in REQUIRED] + optional
    return Plan(delete, edits, contracts, docs=[doc for doc in marked if doc.passages or doc.kept])


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
    for doc in work.docs:
        doc.path.write_text(doc.text, encoding="utf-8")


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
    for path in docs(root):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if MENTION.search(text):
                found.append(f"{path.relative_to(root)}:{number}: {text.strip()[:100]}")
    return found


def spans(lines: list[tuple[int, int]]) -> str:
    return ", ".join(f"{first}" if first == last else f"{first}-{last}" for first, last in lines) or "none"


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
    for doc in work.docs:
        print(f"strip    {doc.path.relative_to(root)}: delete lines {spans(doc.passages)}; unwrap {spans(doc.kept)}")
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
