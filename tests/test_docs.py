"""The documentation's commands run as written.

Shell blocks marked ``<!-- docs-test: run in=<place> -->`` on the line before the fence are run with
bash (``set -euo pipefail``) and must succeed. Places: ``tmp`` (an empty folder; ``$RUNWAY_TEMPLATE`` is
this repository), ``template`` (a fresh git repository of this checkout's files, as a founder clones it, with
the template's tools in ``.venv/`` as either README command leaves them; ``..`` is an empty folder),
``project`` (a baked default project, zero services), ``project-full`` (the same with Postgres and Redis,
migrated). Blocks marked ``<!-- docs-test: skip (reason) -->`` are known not to run here
(long-running servers, destructive or interactive commands); unmarked blocks are illustrations.

Every ```mermaid block of the same docs parses with the real Mermaid (11.17.2, pinned in tests/mermaid and
installed with ``npm ci``): its browser bundle runs in the machine's Chromium, driven by the baked project's
Playwright (tests/mermaid/parse_blocks.py), so GitHub draws the diagram instead of an error box.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import (
    CHECKOUT,
    DATABASE_BASE_URL,
    REDIS_BASE_URL,
    ROOT,
    UV,
    Project,
    assert_ok,
    bake,
    clean_environment,
    npm_ci,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("docs")]

DIRECTIVE = re.compile(
    r"<!-- docs-test: (run in=(?P<place>[\w-]+)|skip \((?P<reason>[^)]+)\)) -->\n```(?:bash|sh)\n(?P<body>.*?)```", re.S
)
PLACES = {"tmp", "template", "project", "project-full"}
MERMAID_FENCE = re.compile(r"^(?P<indent>[ \t]*)```mermaid[ \t]*\n(?P<body>.*?)^(?P=indent)```", re.S | re.M)
MERMAID = ROOT / "tests" / "mermaid"
IDENTITY = {"GIT_AUTHOR_NAME": "Runway Docs", "GIT_AUTHOR_EMAIL": "docs@example.com"}


@dataclass(frozen=True)
class Block:
    source: str
    line: int
    place: str
    body: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


def blocks_in(path: Path, label: str) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in DIRECTIVE.finditer(text):
        if match.group("place"):
            line = text[: match.start()].count("\n") + 1
            found.append(Block(label, line, match.group("place"), match.group("body")))
    return found


def template_docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def run(block: Block, cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + block.body],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"{block} failed:\n{block.body}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    path = bake(tmp_path_factory.mktemp("docs"))
    baked = Project(path, "default")
    assert_ok(baked.run("uv", "sync", "--frozen"))
    return baked


def template_clone(parent: Path) -> Path:
    """This checkout's files (committed or not, ignored ones left out) as a new git repository in parent/runway."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    clone = parent / "runway"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    env = {**os.environ, **IDENTITY, "GIT_COMMITTER_NAME": "Runway Docs", "GIT_COMMITTER_EMAIL": "docs@example.com"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "template"]):
        subprocess.run(["git", *command], cwd=clone, env=env, capture_output=True, check=True)
    # The template's tools, as scripts/demo.py and scripts/test.py install them: the venv running these tests.
    (clone / ".venv").symlink_to(Path(sys.prefix))  # after the commit: they are not part of the template
    return clone


def all_docs(project: Project) -> list[tuple[Path, str]]:
    """Each Markdown file of the template's and the baked project's docs, with the label a failure names it by."""
    docs = [(path, str(path.relative_to(ROOT))) for path in template_docs()]
    for path in [project.path / "README.md", *sorted((project.path / "docs").glob("*.md"))]:
        docs.append((path, f"generated {path.relative_to(project.path)}"))
    return docs


def all_blocks(project: Project) -> list[Block]:
    return [block for path, label in all_docs(project) for block in blocks_in(path, label)]


def diagrams_in(text: str) -> list[tuple[int, str]]:
    """The line and the text of each mermaid block (a block indented in a list loses its indent)."""
    return [
        (text[: match.start()].count("\n") + 1, textwrap.dedent(match.group("body")))
        for match in MERMAID_FENCE.finditer(text)
    ]


def test_every_marked_block_names_a_known_place(project):
    blocks = all_blocks(project)

    assert {block.place for block in blocks} <= PLACES
    assert len(blocks) >= 5, "the docs keep a handful of commands that are checked"


def test_the_generated_docs_draw_a_request_a_job_and_the_data_layer(project):
    diagrams = {}
    for name in ("architecture.md", "jobs.md", "database.md"):
        text = (project.path / "docs" / name).read_text(encoding="utf-8")
        diagrams[name] = [diagram for _, diagram in diagrams_in(text)]

    assert all(diagrams.values()), f"a Mermaid diagram in each: {diagrams}"
    for blocks in diagrams.values():
        for block in blocks:
            assert block.split()[0] in {"flowchart", "sequenceDiagram"}, block
    drawn = {name: "".join(blocks) for name, blocks in diagrams.items()}
    for name, words in {
        "architecture.md": ("has_permission", "ReplicaRouter", "replica"),
        "jobs.md": ("send_on_commit", "Broker", "retry", "Dead-letter"),
        "database.md": ("primary", "Replicas", "PgBouncer", "Redis"),
    }.items():
        assert all(word in drawn[name] for word in words), f"{name} draws {words}"


@pytest.fixture(scope="module")
def mermaid_bundle() -> Path:
    """Mermaid's browser bundle (tests/mermaid, installed with ``npm ci`` once)."""
    return npm_ci(MERMAID) / "mermaid" / "dist" / "mermaid.min.js"


def mermaid_errors(project: Project, bundle: Path, diagrams: list[str], folder: Path) -> list[str | None]:
    """Mermaid's parse error for each diagram, None for one that parses."""
    listed = folder / "diagrams.json"
    listed.write_text(json.dumps(diagrams), encoding="utf-8")
    result = project.run("python", str(MERMAID / "parse_blocks.py"), str(bundle), str(listed))
    assert_ok(result)
    return json.loads(result.stdout)


@pytest.mark.needs("chromium", "node")
def test_every_mermaid_diagram_in_the_docs_parses(project, mermaid_bundle, tmp_path):
    found = {
        f"{label}:{line}": diagram
        for path, label in all_docs(project)
        for line, diagram in diagrams_in(path.read_text(encoding="utf-8"))
    }
    assert {"docs/architecture.md", "generated docs/jobs.md"} <= {where.rsplit(":", 1)[0] for where in found}

    errors = mermaid_errors(project, mermaid_bundle, list(found.values()), tmp_path)

    assert {where: error for where, error in zip(found, errors, strict=True) if error} == {}


@pytest.mark.needs("chromium", "node")
def test_mermaid_refuses_a_broken_diagram(project, mermaid_bundle, tmp_path):
    whole = "flowchart LR\n    web[Web] --> db[(Postgres)]\n"
    broken = whole.replace(")]", ")")  # the cylinder is never closed

    errors = mermaid_errors(project, mermaid_bundle, [whole, broken], tmp_path)

    assert errors[0] is None
    assert "Parse error" in (errors[1] or "")


@pytest.mark.needs("git")
def test_the_docs_commands_run_as_written(project, tmp_path, services):
    base = clean_environment(RUNWAY_TEMPLATE=str(ROOT), UV_FROZEN="1")
    base["PATH"] = str(Path(UV).parent) + os.pathsep + base["PATH"]  # uv and uvx of the template's tools
    database = f"runway_{CHECKOUT}_docs"
    subprocess.run(
        ["psql", f"{DATABASE_BASE_URL}/postgres", "-c", f'CREATE DATABASE "{database}"'],
        capture_output=True,
        check=False,  # it may exist from an earlier run
    )
    full = {**base, "DATABASE_URL": f"{DATABASE_BASE_URL}/{database}", "REDIS_URL": f"{REDIS_BASE_URL}/13"}
    assert_ok(project.run("python", "manage.py", "migrate", "--noinput", **full))
    for block in all_blocks(project):
        if block.place == "tmp":
            workdir = tmp_path / f"block-{block.line}"
            workdir.mkdir()
            run(block, workdir, base)
        elif block.place == "template":
            workdir = tmp_path / f"template-{block.source.replace('/', '-')}-{block.line}"
            workdir.mkdir()
            run(block, template_clone(workdir), base)
        elif block.place == "project":
            run(block, project.path, base)
        else:
            run(block, project.path, full)
