"""A customised project takes a newer template release: clean where it can, conflicts where it must.

The tests make a throwaway git repository of this template: release v1.0.0 is the
checkout as it is, release v1.1.0 changes a setting line, a page, ``.env.example``,
the CHANGELOG and adds a test, and a later unreleased commit must not reach anyone.
A project made from v1.0.0 with cruft is customised the way a team would (a new
app with a model and a test, an edited setting, an edited page), then updated with
its own ``scripts/template_update.py`` run by its own locked tools, which is what
its weekly workflow runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import (
    CHECKOUT,
    DATABASE_BASE_URL,
    REDIS_BASE_URL,
    ROOT,
    VARIATIONS,
    Project,
    assert_ok,
    bake,
)

pytestmark = [pytest.mark.xdist_group("template-update"), pytest.mark.needs("git")]

ANSWERS = VARIATIONS["custom"]
SLUG = ANSWERS["project_slug"]
IDENTITY = {
    "GIT_AUTHOR_NAME": "Runway Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Runway Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}
T = "{{cookiecutter.project_slug}}"  # the generated project's folder inside the template
CONFLICTED, REFUSED = 3, 2


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **IDENTITY}, capture_output=True, text=True, timeout=120
    )
    assert_ok(result)
    return result.stdout


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path} no longer holds {old!r} once: update this test's scenario"
    path.write_text(text.replace(old, new), encoding="utf-8")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@dataclass
class TemplateRepo:
    path: Path
    v1_0: str
    v1_1: str
    unreleased: str


def make_template_repo(path: Path) -> TemplateRepo:
    """This checkout's files as release v1.0.0, then release v1.1.0, then an unreleased commit."""
    names = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, names):
        if (ROOT / name).is_file():
            write(path / name, "")
            shutil.copy2(ROOT / name, path / name)
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "--message=Release 1.0.0")
    git(path, "tag", "--annotate", "v1.0.0", "--message=1.0.0")

    replace_once(
        path / T / "config/settings/base.py",
        'LANGUAGE_CODE = "en-us"',
        'LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="en-us")',
    )
    replace_once(
        path / T / ".env.example",
        "DJANGO_TIME_ZONE=",
        "DJANGO_LANGUAGE_CODE=         # default en-us\nDJANGO_TIME_ZONE=",
    )
    replace_once(
        path / T / T / "templates/pages/home.html",
        "<strong>Teams from day one</strong>",
        "<strong>Create an account in a minute.</strong>",
    )
    write(
        path / T / "tests/core/test_language.py",
        "from django.conf import settings\n\n\n"
        "def test_the_language_defaults_to_american_english():\n"
        '    assert settings.LANGUAGE_CODE == "en-us"\n',
    )
    replace_once(
        path / "CHANGELOG.md",
        "## Unreleased\n",
        "## 1.1.0 (2030-01-15)\n\n### Changed\n\n- `DJANGO_LANGUAGE_CODE` sets the language.\n\n"
        "### Manual steps\n\n- Set `DJANGO_LANGUAGE_CODE` where English is not wanted.\n\n## Unreleased\n",
    )
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "--message=Release 1.1.0")
    git(path, "tag", "v1.1.0")  # a lightweight tag must count as well as an annotated one

    replace_once(path / T / "README.md", "## Two modes", "Unreleased work.\n\n## Two modes")
    git(path, "commit", "--quiet", "--all", "--message=Unreleased work")
    commits = [git(path, "rev-parse", f"{ref}^{{commit}}").strip() for ref in ("v1.0.0", "v1.1.0", "HEAD")]
    return TemplateRepo(path, *commits)


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    return make_template_repo(tmp_path_factory.mktemp("template-repo"))


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cruft", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def create_with_cruft(template: TemplateRepo, output: Path, **answers: str) -> Path:
    """Generate from release v1.0.0 with cruft, and commit it as a team's first commit."""
    output.mkdir(parents=True, exist_ok=True)
    assert_ok(
        cruft(
            "create",
            "--no-input",
            "--checkout=v1.0.0",
            f"--output-dir={output}",
            f"--extra-context={json.dumps(answers)}",
            str(template.path),
            cwd=output,
        )
    )
    project = output / answers.get("project_slug", "acme_cloud")
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message=Generated from Runway")
    return project


def run_update(project: Path, *args: str, python: str = sys.executable, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "scripts/template_update.py", *args],
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def customise(project: Path) -> None:
    """What a team does in its first weeks: a new app, an edited setting, an edited page."""
    app = project / SLUG / "invoicing"
    write(app / "__init__.py", "")
    write(
        app / "apps.py",
        f'from django.apps import AppConfig\n\n\nclass InvoicingConfig(AppConfig):\n    name = "{SLUG}.invoicing"\n',
    )
    write(
        app / "models.py",
        "from django.db import models\n\n\n"
        "class Plan(models.Model):\n"
        "    name = models.CharField(max_length=60, unique=True)\n"
        "    price_cents = models.PositiveIntegerField()\n\n"
        "    def __str__(self) -> str:\n"
        '        return f"{self.name} ({self.price_cents / 100:.2f})"\n',
    )
    write(app / "migrations/__init__.py", "")
    write(
        app / "migrations/0001_initial.py",
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n\n"
        "    dependencies = []\n\n"
        "    operations = [\n"
        "        migrations.CreateModel(\n"
        '            name="Plan",\n'
        "            fields=[\n"
        '                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, '
        'verbose_name="ID")),\n'
        '                ("name", models.CharField(max_length=60, unique=True)),\n'
        '                ("price_cents", models.PositiveIntegerField()),\n'
        "            ],\n"
        "        ),\n"
        "    ]\n",
    )
    write(project / "tests/invoicing/__init__.py", "")
    write(
        project / "tests/invoicing/test_plans.py",
        f"import pytest\n\nfrom {SLUG}.invoicing.models import Plan\n\n\n"
        "@pytest.mark.django_db\n"
        "def test_a_plan_is_stored_and_named_with_its_price():\n"
        '    plan = Plan.objects.create(name="Team", price_cents=4900)\n\n'
        '    assert str(Plan.objects.get(pk=plan.pk)) == "Team (49.00)"\n',
    )
    settings = project / "config/settings/base.py"
    replace_once(settings, f'    "{SLUG}.accounts",\n', f'    "{SLUG}.accounts",\n    "{SLUG}.invoicing",\n')
    replace_once(settings, "default=14 * 24 * 3600", "default=7 * 24 * 3600")
    replace_once(
        project / SLUG / "templates/pages/home.html",
        "<strong>Teams from day one</strong>",
        "<strong>Start your free trial today.</strong>",
    )
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message=Invoicing plans, shorter sessions, our own welcome")


@dataclass
class UpdateRun:
    project: Project
    template: TemplateRepo
    check_before: subprocess.CompletedProcess[str]
    result: subprocess.CompletedProcess[str]
    report: str
    outputs: dict[str, str]
    unmerged: set[str]
    files: dict[str, str]


@pytest.fixture(scope="module")
def updated(template_repo: TemplateRepo, tmp_path_factory: pytest.TempPathFactory) -> UpdateRun:
    """The customised project, installed from its lock, after its own update script ran."""
    path = create_with_cruft(template_repo, tmp_path_factory.mktemp("team"), **ANSWERS)
    customise(path)
    project = Project(path, "custom")
    assert_ok(project.run("uv", "sync", "--frozen"))
    python = str(path / ".venv/bin/python")
    check_before = run_update(path, "--check", python=python)
    work = tmp_path_factory.mktemp("update-run")
    result = run_update(
        path, "--report", str(work / "report.md"), python=python, GITHUB_OUTPUT=str(work / "github-output")
    )
    outputs = dict(
        line.split("=", 1) for line in (work / "github-output").read_text(encoding="utf-8").splitlines() if line
    )
    files = {
        name: (path / name).read_text(encoding="utf-8")
        for name in ("config/settings/base.py", ".env.example", f"{SLUG}/templates/pages/home.html", "README.md")
    }
    return UpdateRun(
        project=project,
        template=template_repo,
        check_before=check_before,
        result=result,
        report=(work / "report.md").read_text(encoding="utf-8"),
        outputs=outputs,
        unmerged=set(git(path, "diff", "--name-only", "--diff-filter=U").split()),
        files=files,
    )


@pytest.mark.slow
def test_the_check_sees_the_newest_release_not_unreleased_work(updated: UpdateRun):
    assert updated.check_before.returncode == 1, updated.check_before.stderr
    assert f"-> {updated.template.v1_1[:10]} (v1.1.0)" in updated.check_before.stdout


@pytest.mark.slow
def test_template_changes_to_lines_the_team_did_not_touch_apply_cleanly(updated: UpdateRun):
    settings = updated.files["config/settings/base.py"]

    assert 'LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="en-us")' in settings  # the template's
    assert f'    "{SLUG}.invoicing",\n' in settings  # the team's
    assert "default=7 * 24 * 3600" in settings  # the team's
    assert "config/settings/base.py" not in updated.unmerged
    assert "DJANGO_LANGUAGE_CODE=" in updated.files[".env.example"]
    assert (updated.project.path / "tests/core/test_language.py").is_file()
    assert "Unreleased work." not in updated.files["README.md"]
    assert "- `config/settings/base.py`" in updated.report


@pytest.mark.slow
def test_lines_both_sides_changed_are_reported_as_conflicts(updated: UpdateRun):
    page = f"{SLUG}/templates/pages/home.html"

    assert updated.result.returncode == CONFLICTED, updated.result.stdout + updated.result.stderr
    assert updated.unmerged == {page}
    text = updated.files[page]
    ours, theirs = text.index("<<<<<<< ours"), text.index(">>>>>>> theirs")
    assert ours < text.index("Start your free trial today.") < text.index("Create an account in a minute.") < theirs
    assert f"`{page}`: conflict markers" in updated.report
    assert "1 file(s) need a person" in updated.result.stdout
    assert not list(updated.project.path.rglob("*.rej"))


@pytest.mark.slow
def test_the_report_names_the_release_and_quotes_its_changelog(updated: UpdateRun):
    report = updated.report

    assert f"`{updated.template.v1_0[:10]}` → `{updated.template.v1_1[:10]}` (v1.1.0)" in report
    assert "- Set `DJANGO_LANGUAGE_CODE` where English is not wanted." in report
    assert "## Unreleased" not in report, "only the lines the release added are quoted"
    new = updated.template.v1_1
    assert updated.outputs == {"status": "conflicts", "commit": new, "short": new[:10]}


@pytest.mark.slow
def test_the_link_moves_to_the_release(updated: UpdateRun):
    state = json.loads((updated.project.path / ".cruft.json").read_text(encoding="utf-8"))

    assert state["commit"] == updated.template.v1_1
    assert state["context"]["cookiecutter"]["project_name"] == ANSWERS["project_name"]


@pytest.mark.slow
@pytest.mark.needs("chromium")
def test_once_resolved_the_updated_project_passes_the_tests_of_what_changed_on_postgres_and_redis(
    updated: UpdateRun, services
):
    """The whole suite of a baked project runs in test_baked_project.py; here what the update and the team touched.

    The release changed the base settings, .env.example and the home page; the team added an app and changed the
    session length and the home page: their tests, the settings tests, the pages and the accounts (sessions) run.
    """
    project = updated.project
    page = f"{SLUG}/templates/pages/home.html"
    git(project.path, "checkout", "--ours", "--", page)  # the team keeps its own welcome
    git(project.path, "add", "--all")
    git(project.path, "commit", "--quiet", "--message=Take Runway 1.1.0")
    full_mode = {
        "DATABASE_URL": f"{DATABASE_BASE_URL}/runway_{CHECKOUT}_update",
        "REDIS_URL": f"{REDIS_BASE_URL}/15",
    }

    assert_ok(project.run("python", "manage.py", "makemigrations", "--check", "--dry-run"))
    touched = ["tests/invoicing", "tests/core/test_language.py", "tests/core/test_settings.py", "tests/test_pages.py"]
    result = project.run("pytest", "-v", "-p", "no:cacheprovider", *touched, "tests/accounts", **full_mode)

    assert_ok(result)
    assert "tests/invoicing/test_plans.py::test_a_plan_is_stored_and_named_with_its_price PASSED" in result.stdout
    assert "tests/core/test_language.py::test_the_language_defaults_to_american_english PASSED" in result.stdout
    assert " skipped" not in result.stdout
    check = run_update(project.path, "--check", python=str(project.path / ".venv/bin/python"))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "up to date with the template (v1.1.0" in check.stdout


def with_release_1_2(template_repo: TemplateRepo, path: Path, name: str, old: str, new: str) -> TemplateRepo:
    """A copy of the template repository with a release v1.2.0 that replaces old with new in one file."""
    shutil.copytree(template_repo.path, path, symlinks=True)
    replace_once(path / name, old, new)
    git(path, "commit", "--quiet", "--all", "--message=Release 1.2.0")
    git(path, "tag", "v1.2.0")
    return TemplateRepo(path, template_repo.v1_0, template_repo.v1_1, template_repo.unreleased)


@pytest.mark.slow
def test_workflow_changes_are_held_back_as_a_patch_the_repository_token_can_push(template_repo, tmp_path):
    workflow = ".github/workflows/template-update.yml"
    template = with_release_1_2(template_repo, tmp_path / "template", f"{T}/{workflow}", "23 5 * * 1", "41 4 * * 2")
    project = create_with_cruft(template, tmp_path / "team")

    result = run_update(project, "--hold-back-workflows")

    assert result.returncode == 0, result.stdout + result.stderr
    assert git(project, "status", "--porcelain", "--", ".github/workflows") == ""
    assert "### Workflow files: apply by hand" in result.stdout
    assert f"- `{workflow}`" in result.stdout
    assert "DJANGO_LANGUAGE_CODE" in (project / "config/settings/base.py").read_text(encoding="utf-8")
    git(project, "apply", "--3way", ".github/template-update-workflows.patch")
    assert "41 4 * * 2" in (project / workflow).read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_later_release_on_the_same_lines_still_gets_conflict_markers_in_a_fresh_clone(template_repo, tmp_path):
    """CI clones the project afresh: the customised file's merge base is not in its history, so it is rendered."""
    template = with_release_1_2(
        template_repo,
        tmp_path / "template",
        f"{T}/{T}/templates/pages/home.html",
        "<strong>Create an account in a minute.</strong>",
        "<p>Create an account in seconds.",
    )
    project = create_with_cruft(template, tmp_path / "team")
    page = "acme_cloud/templates/pages/home.html"
    replace_once(project / page, "<strong>Teams from day one</strong>", "<strong>Start your free trial today.</strong>")
    git(project, "commit", "--quiet", "--all", "--message=Our own welcome")
    assert run_update(project, "--ref", "v1.1.0").returncode == CONFLICTED
    git(project, "checkout", "--ours", "--", page)
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message=Take 1.1.0")
    clone = tmp_path / "ci-checkout"
    git(tmp_path, "clone", "--quiet", "--no-local", str(project), str(clone))

    result = run_update(clone)

    assert result.returncode == CONFLICTED, result.stdout + result.stderr
    assert git(clone, "diff", "--name-only", "--diff-filter=U").split() == [page]
    assert not list(clone.rglob("*.rej"))
    text = (clone / page).read_text(encoding="utf-8")
    assert "Start your free trial today." in text
    assert "Create an account in seconds." in text


def tree_digest(project: Path) -> str:
    """A digest of every file and its content, .git included: proof that nothing changed."""
    digest = hashlib.sha256()
    for path in sorted(project.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "listed"),
    [
        ("edit", "config/settings/base.py"),
        ("staged", "config/settings/base.py"),
        ("untracked", "notes.txt"),
    ],
)
def test_an_update_over_uncommitted_work_refuses_and_changes_nothing(template_repo, tmp_path, change, listed):
    project = create_with_cruft(template_repo, tmp_path)
    if change == "untracked":
        write(project / "notes.txt", "half-written idea\n")
    else:
        replace_once(project / "config/settings/base.py", "default=14 * 24 * 3600", "default=3600")
        if change == "staged":
            git(project, "add", "config/settings/base.py")
    before = tree_digest(project)

    result = run_update(project)

    assert result.returncode == REFUSED
    assert "the working tree has uncommitted changes" in result.stderr
    assert listed in result.stderr
    assert "Nothing was changed." in result.stderr
    assert tree_digest(project) == before


@pytest.mark.slow
def test_a_project_outside_git_is_refused_and_left_alone(template_repo, tmp_path):
    project = create_with_cruft(template_repo, tmp_path)
    shutil.rmtree(project / ".git")
    before = tree_digest(project)

    result = run_update(project)

    assert result.returncode == REFUSED
    assert "is not a git checkout" in result.stderr
    assert tree_digest(project) == before


@pytest.mark.slow
def test_bad_references_and_an_unreachable_template_are_refused(template_repo, tmp_path):
    project = create_with_cruft(template_repo, tmp_path)
    before = tree_digest(project)

    unknown = run_update(project, "--ref", "v9.9.9")
    assert unknown.returncode == REFUSED
    assert "the template has no tag or branch 'v9.9.9'" in unknown.stderr
    assert tree_digest(project) == before

    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    state["template"] = str(tmp_path / "moved-away")
    (project / ".cruft.json").write_text(json.dumps(state), encoding="utf-8")
    git(project, "commit", "--quiet", "--all", "--message=Point at a template that is gone")
    before = tree_digest(project)
    gone = run_update(project)
    assert gone.returncode == REFUSED
    assert "cannot read the template repository" in gone.stderr
    assert 'correct "template" in .cruft.json' in gone.stderr
    assert tree_digest(project) == before


@pytest.mark.slow
def test_a_project_made_with_plain_cookiecutter_is_linked_afterwards_and_updates(template_repo, tmp_path):
    release = tmp_path / "runway-1.0.0"
    git(tmp_path, "clone", "--quiet", "--branch=v1.0.0", str(template_repo.path), str(release))
    answers = {"project_name": "Plain Start", "timezone": "Asia/Tokyo"}
    project = bake(tmp_path / "out", template=release, **answers)
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message=Generated with cookiecutter")

    unlinked = run_update(project)
    assert unlinked.returncode == REFUSED
    assert "uv run cruft link" in unlinked.stderr

    context = f"--extra-context={json.dumps(answers)}"
    link = cruft("link", "--checkout=v1.0.0", "-y", context, str(template_repo.path), cwd=project)
    assert_ok(link)
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"] == template_repo.v1_0
    assert_ok(cruft("diff", "--exit-code", cwd=project))  # the link matches what was generated
    git(project, "add", ".cruft.json")
    git(project, "commit", "--quiet", "--message=Link to Runway")

    result = run_update(project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Applied cleanly" in result.stdout
    assert "DJANGO_LANGUAGE_CODE" in (project / "config/settings/base.py").read_text(encoding="utf-8")
    assert 'default="Asia/Tokyo"' in (project / "config/settings/base.py").read_text(encoding="utf-8")
    assert "Create an account in a minute." in (project / "plain_start/templates/pages/home.html").read_text()


# --- The workflow: what GitHub will run, checked as far as it can be without GitHub ---


@pytest.fixture(scope="module")
def workflow(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    project = bake(tmp_path_factory.mktemp("workflow"))
    path = project / ".github/workflows/template-update.yml"
    return project, yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_workflow_runs_weekly_and_on_demand(workflow):
    _, spec = workflow
    triggers = spec[True]  # YAML 1.1 reads the key `on` as true

    assert set(triggers) == {"schedule", "workflow_dispatch"}
    [schedule] = triggers["schedule"]
    assert len(schedule["cron"].split()) == 5


def test_the_workflow_holds_only_the_permissions_a_pull_request_needs(workflow):
    project, spec = workflow
    text = (project / ".github/workflows/template-update.yml").read_text(encoding="utf-8")

    assert spec["permissions"] == {}
    [job] = spec["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert "secrets." not in text, "only the repository's own token"
    assert re.findall(r"\$\{\{\s*github\.token\s*\}\}", text), "the token goes to gh as GH_TOKEN"
    assert job["timeout-minutes"] <= 30


def test_the_workflow_pins_its_actions_and_keeps_expressions_out_of_scripts(workflow):
    project, spec = workflow
    [job] = spec["jobs"].values()
    steps = job["steps"]

    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
        assert "${{" not in step.get("run", ""), "expressions reach scripts through env, never inline"
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    scripts = " ".join(step.get("run", "") for step in steps)
    assert "scripts/template_update.py" in scripts
    assert (project / "scripts/template_update.py").is_file()
    assert "--hold-back-workflows" in scripts
