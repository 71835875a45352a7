"""The generated docs/first-feature.md works as written.

Its code blocks are applied in order to a freshly baked project: a block whose info string has
``title="path"`` alone is a new file, written whole; with ``after='text'`` too, its lines go after the one line
of that file holding the text. Its shell blocks marked ``<!-- tutorial: run -->`` then run at their place in
the sequence, in the project folder, with zero services; the last of them runs the new tests and the gates.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import UV, Project, assert_ok, bake, clean_environment
from test_docs import Block
from test_docs import run as run_block

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("first-feature")]

FENCE = re.compile(r"^```(?P<lang>\w+)(?P<attrs>[^\n]*)\n(?P<body>.*?)^```$", re.S | re.M)
ATTRIBUTE = re.compile(r"""(\w+)=(?:"([^"]*)"|'([^']*)')""")
RUN = "<!-- tutorial: run -->\n"
# What a project without the worked example reads instead (scripts/remove_example.py): a comment here, so not a step.
WITHOUT_EXAMPLE = re.compile(r"^<!-- without-example\n.*?^-->\n", re.S | re.M)


@dataclass(frozen=True)
class Step:
    line: int
    body: str
    path: str = ""  # a file step; a command step has none
    after: str = ""


def steps_of(text: str) -> list[Step]:
    text = WITHOUT_EXAMPLE.sub(lambda comment: "\n" * comment[0].count("\n"), text)  # lines keep their numbers
    steps = []
    for match in FENCE.finditer(text):
        line = text[: match.start()].count("\n") + 1
        attributes = {name: double or single for name, double, single in ATTRIBUTE.findall(match["attrs"])}
        if "title" in attributes:
            assert "{" not in attributes["title"], f"line {line}: an unrendered path {attributes['title']!r}"
            steps.append(Step(line, match["body"], attributes["title"], attributes.get("after", "")))
        elif text[: match.start()].endswith(RUN):
            assert match["lang"] == "bash", f"line {line}: a tutorial command block is bash"
            steps.append(Step(line, match["body"]))
    return steps


def apply(project: Path, step: Step) -> None:
    target = project / step.path
    if not step.after:
        assert not target.exists(), f"line {step.line}: {step.path} is new, but the project has it already"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(step.body, encoding="utf-8")
        return
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [index for index, line in enumerate(lines) if step.after in line]
    assert len(hits) == 1, f"line {step.line}: {step.path} must hold {step.after!r} on exactly one line, found {hits}"
    lines[hits[0] + 1 : hits[0] + 1] = [step.body]
    target.write_text("".join(lines), encoding="utf-8")


def run(project: Path, step: Step) -> None:
    env = clean_environment(UV_FROZEN="1")
    env["PATH"] = str(Path(UV).parent) + os.pathsep + env["PATH"]
    run_block(Block("generated docs/first-feature.md", step.line, "project", step.body), project, env)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    baked = Project(bake(tmp_path_factory.mktemp("first-feature")), "default")
    assert_ok(baked.run("uv", "sync", "--frozen"))
    return baked


def test_the_tutorial_builds_every_layer_of_a_feature(project):
    steps = steps_of((project.path / "docs" / "first-feature.md").read_text(encoding="utf-8"))
    files = {Path(step.path).name for step in steps if step.path}
    commands = "".join(step.body for step in steps if not step.path)

    assert {"models.py", "services.py", "selectors.py", "views.py", "apis.py", "list.html"} <= files
    assert any(step.path.startswith("tests/") and not step.after for step in steps), "it writes tests"
    assert "event_emit(" in "".join(step.body for step in steps), "it emits a webhook event"
    assert "since(" in "".join(step.body for step in steps), "its endpoint is versioned"
    assert "uv run pytest" in commands
    assert "api_contract --write" in commands


def test_the_tutorial_runs_as_written_and_its_tests_pass(project):
    steps = steps_of((project.path / "docs" / "first-feature.md").read_text(encoding="utf-8"))
    assert steps, "docs/first-feature.md has blocks to apply"

    for step in steps:
        if step.path:
            apply(project.path, step)
        else:
            run(project.path, step)

    assert not steps[-1].path, "the tutorial ends by running its tests"
