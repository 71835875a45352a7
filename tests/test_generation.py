"""What a bake writes: rendered everywhere, nothing left of Jinja, secrets fresh, licence pruned, no network."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from conftest import LICENSES, ROOT, VARIATIONS, bake, traces

VARIABLE = re.compile(r"cookiecutter\.\w")
# GitHub Actions expressions (`${{ github.token }}`) are not Jinja: the workflows escape them for cookiecutter.
JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#")
# Files that are allowed to be empty: package markers.
MAY_BE_EMPTY = {"__init__.py"}


@pytest.fixture(scope="module", params=list(VARIATIONS))
def project(request, tmp_path_factory) -> Path:
    return bake(tmp_path_factory.mktemp(request.param), **VARIATIONS[request.param])


def text_files(project: Path):
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".venv" not in path.parts:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def in_django_templates(path: Path, project: Path) -> bool:
    return "templates" in path.relative_to(project).parts


def test_no_cookiecutter_variable_is_left_anywhere(project):
    leftovers = [str(p.relative_to(project)) for p, text in text_files(project) if VARIABLE.search(text)]
    leftovers += [str(p.relative_to(project)) for p in project.rglob("*{{*")]

    assert leftovers == []


# GitHub Actions expressions (the workflows are wrapped in {% raw %} in the template).
ACTIONS_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
# A Django template shown in a doc (the tutorial's pages): a fenced html block that names a templates/ file.
DJANGO_TEMPLATE_BLOCK = re.compile(r'^```html title="[^"]*/templates/[^"]*"\n.*?^```$', re.S | re.M)


def test_no_jinja_residue_outside_the_django_templates(project):
    def residue_in(path: Path, text: str) -> re.Match[str] | None:
        if ".github" in path.relative_to(project).parts:
            text = ACTIONS_EXPRESSION.sub("", text)
        if path.suffix == ".md":
            text = DJANGO_TEMPLATE_BLOCK.sub("", text)
        return JINJA.search(text)

    residue = [
        f"{p.relative_to(project)}: {match.group()}"
        for p, text in text_files(project)
        if not in_django_templates(p, project) and (match := residue_in(p, text))
    ]

    assert residue == []


def test_django_templates_are_copied_verbatim(project):
    base = (project / project.name / "templates" / "base.html").read_text()

    assert "{% load static %}" in base
    assert "{{ project_name }}" in base


def test_no_file_is_empty_unless_it_is_a_package_marker(project):
    empty = [str(p.relative_to(project)) for p in project.rglob("*") if p.is_file() and p.stat().st_size == 0]

    assert [name for name in empty if Path(name).name not in MAY_BE_EMPTY] == []


def test_every_python_file_compiles_and_toml_parses(project):
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    for name in ("pyproject.toml", "uv.lock"):
        tomllib.loads((project / name).read_text(encoding="utf-8"))


def test_answers_with_quotes_and_backslashes_are_rendered_as_data_not_code(tmp_path):
    answers = VARIATIONS["custom"]
    project = bake(tmp_path, **answers)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == answers["description"]
    assert pyproject["project"]["version"] == answers["version"]

    settings = ast.parse((project / "config" / "settings" / "base.py").read_text(encoding="utf-8"))
    defaults = {
        node.args[0].value: node.keywords[0].value.value
        for node in ast.walk(settings)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "str"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.keywords
        and isinstance(node.keywords[0].value, ast.Constant)
    }
    assert defaults["PROJECT_NAME"] == answers["project_name"]
    assert defaults["DJANGO_TIME_ZONE"] == answers["timezone"]


def test_the_lock_names_the_project_and_its_version(project):
    lock = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))

    [own] = [p for p in lock["package"] if p.get("source") == {"virtual": "."}]
    assert own["name"] == pyproject["project"]["name"] == project.name.replace("_", "-")
    assert own["version"] == pyproject["project"]["version"]


def test_the_hooks_contracts_without_the_example_are_never_left(project):
    assert not (project / ".without-example").exists()


def api_versions(project: Path) -> list[tuple[str, str]]:
    """Each ``Version(name, released=...)`` that the project's api/versions.py lists, newest first, as source text."""
    tree = ast.parse((project / project.name / "api" / "versions.py").read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and ast.unparse(node.func) == "Version"]
    return [(ast.literal_eval(call.args[0]), ast.unparse(call.keywords[0].value)) for call in calls]


def test_without_the_example_the_api_starts_at_one_unreleased_version(project):
    contracts = sorted(path.name for path in (project / "docs" / "api").iterdir())
    if (project / project.name / "projects").exists():
        assert api_versions(project) == [("v2", "None"), ("v1", "datetime.date(2025, 1, 6)")]
        assert contracts == ["changelog.md", "v1.yaml", "v2.yaml"]
    else:
        assert api_versions(project) == [("v1", "None")]
        assert contracts == ["changelog.md", "v1.yaml"]
        assert "## v1 (not released yet)" in (project / "docs" / "api" / "changelog.md").read_text(encoding="utf-8")


def test_the_hooks_api_versions_define_what_the_projects_do():
    """The hook's api/versions.py (without the example) replaces the project's: the same names, other versions."""

    def defined(path: Path) -> list[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return [ast.unparse(target) for node in tree.body if isinstance(node, ast.Assign) for target in node.targets]

    package = ROOT / "{{cookiecutter.project_slug}}"
    ours = defined(package / "{{cookiecutter.project_slug}}" / "api" / "versions.py")
    hooks = defined(package / ".without-example" / "{{cookiecutter.project_slug}}" / "api" / "versions.py")

    assert hooks == ours == ["VERSIONS", "WEBHOOKS_SINCE"]


def test_without_the_example_nothing_but_the_load_profile_names_it(tmp_path, capfd):
    project = bake(tmp_path, **VARIATIONS["no-example"])

    said = capfd.readouterr().err
    assert "Created acme_cloud/." in said  # the hook's words are captured here
    assert "Without the worked example" not in said  # no line of the docs is left to reword

    assert traces(project) == []
    assert not (project / "scripts" / "remove_example.py").exists()
    assert list(project.rglob("__pycache__")) == []  # the hook ran the project's recipe and left nothing of it


# The docs a baked project holds, and what in them names the worked example: remove_example.py's MENTION, its model
# and its migration example.
EXAMPLE_IN_DOCS = re.compile(r"\bprojects\b|\bProjects?\b|\bProject\w*|name_search")
MARKER = re.compile(r"<!-- /?example -->|<!-- without-example")


def docs_of(project: Path) -> dict[str, str]:
    paths = [project / "README.md", *project.glob("docs/*.md"), *project.glob("loadtests/*.md")]
    return {str(path.relative_to(project)): path.read_text(encoding="utf-8") for path in sorted(paths)}


def lines_matching(pattern: re.Pattern[str], docs: dict[str, str]) -> list[str]:
    return [
        f"{name}:{number}: {line}"
        for name, text in docs.items()
        for number, line in enumerate(text.splitlines(), 1)
        if pattern.search(line)
    ]


def load_recipe(project: Path) -> ModuleType:
    """The project's scripts/remove_example.py (standard library only, so the template's Python runs it)."""
    spec = importlib.util.spec_from_file_location("remove_example", project / "scripts" / "remove_example.py")
    assert spec
    assert spec.loader
    recipe = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = recipe  # dataclasses look their module up while it runs
    spec.loader.exec_module(recipe)
    return recipe


def test_the_docs_describe_the_example_only_in_marked_passages_that_go_with_it(project, tmp_path):
    if not (project / project.name / "projects").exists():
        removed = project  # baked without the example: the hook ran the project's scripts/remove_example.py
    else:
        assert lines_matching(MARKER, docs_of(project))  # the passages are there, marked
        assert lines_matching(EXAMPLE_IN_DOCS, docs_of(project))
        removed = tmp_path / project.name
        shutil.copytree(project, removed)
        recipe = load_recipe(removed)
        recipe.apply(recipe.plan(removed))

    assert lines_matching(EXAMPLE_IN_DOCS, docs_of(removed)) == []
    assert lines_matching(MARKER, docs_of(removed)) == []


@pytest.mark.parametrize("choice", LICENSES)
def test_only_the_chosen_licence_is_kept(tmp_path, choice):
    project = bake(tmp_path, open_source_license=choice, author_name="Ada Lovelace")

    assert not (project / ".licenses").exists()
    licence = project / "LICENSE"
    if choice == "Not open source":
        assert not licence.exists()
    else:
        text = licence.read_text()
        assert "Ada Lovelace" in text
        assert {"MIT": "MIT License", "BSD-3-Clause": "BSD 3-Clause", "Apache-2.0": "Apache License"}[choice] in text


def test_the_env_file_holds_a_fresh_secret_that_git_ignores(tmp_path):
    first = bake(tmp_path / "one")
    second = bake(tmp_path / "two")

    def secret(project: Path) -> str:
        [line] = [x for x in (project / ".env").read_text().splitlines() if x.startswith("DJANGO_SECRET_KEY=")]
        return line.split("=", 1)[1]

    assert len(secret(first)) >= 50
    assert secret(first) != secret(second)
    assert stat.S_IMODE((first / ".env").stat().st_mode) == 0o600

    subprocess.run(["git", "init", "-q"], cwd=first, check=True)
    ignored = subprocess.run(["git", "check-ignore", ".env"], cwd=first, capture_output=True, text=True)
    assert ignored.returncode == 0, ".gitignore must cover .env"
    kept = subprocess.run(["git", "check-ignore", ".env.example"], cwd=first, capture_output=True)
    assert kept.returncode == 1, ".env.example is committed"


def test_generation_touches_no_network(tmp_path):
    # A sitecustomize that makes every socket connection fail, for the bake and its hooks.
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import socket

            def refuse(*args, **kwargs):
                raise OSError("network access during generation")

            socket.socket.connect = refuse
            socket.socket.connect_ex = refuse
            socket.create_connection = refuse
            socket.getaddrinfo = refuse
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(guard)}
    output = tmp_path / "out"

    result = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output), str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert (output / "acme_cloud" / "uv.lock").is_file()
    assert not (output / "acme_cloud" / ".venv").exists(), "generation installs nothing"


def test_the_template_code_itself_is_lint_clean():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "hooks", "tests", "scripts"], cwd=ROOT, capture_output=True, text=True)

    assert result.returncode == 0, result.stdout
    formatted = subprocess.run(
        [str(ruff), "format", "--check", "hooks", "tests", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout
