"""Each baked variation installs from its lock, passes its linters and checks, and its own suite passes.

These are the slow tests: each variation is installed once (``uv sync --frozen``)
and its tools run against the real Postgres and Redis.
"""

from __future__ import annotations

import os
import subprocess
import urllib.request
from pathlib import Path

import pytest
from conftest import UV, Project, assert_ok, clean_environment, free_port, variation_params, wait_for

pytestmark = [pytest.mark.slow]
each_variation = pytest.mark.parametrize("installed_project", variation_params(), indirect=True)

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "ci-8fJ2kLq9Zx4Vb7Nm1Qw5Er3Ty6Ui0Op-Aa2Ss4Dd6Ff8Gg0Hh1Jj3Kk5",
    "DJANGO_ALLOWED_HOSTS": "app.example.com",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587?tls=true",
    "MEDIA_BUCKET": "app-media",
}


@each_variation
def test_the_lock_matches_the_project(installed_project: Project):
    assert_ok(installed_project.run("uv", "lock", "--check", "--offline"))


@each_variation
def test_ruff_finds_nothing(installed_project: Project):
    assert_ok(installed_project.run("ruff", "check", "."))
    assert_ok(installed_project.run("ruff", "format", "--check", "."))


@each_variation
def test_mypy_strict_is_clean(installed_project: Project):
    assert_ok(installed_project.run("mypy", "."))


@each_variation
@pytest.mark.needs("git")
def test_its_pre_commit_hooks_pass_on_the_fresh_project(installed_project: Project, tmp_path):
    """The hooks run the project's own tools through uv, offline: a fresh clone installs them from PyPI alone."""
    for git in (["init", "-q"], ["add", "-A"]):  # pre-commit reads the files from git's index
        assert_ok(subprocess.run(["git", *git], cwd=installed_project.path, capture_output=True, text=True))
    tools = {"PATH": f"{Path(UV).parent}{os.pathsep}{os.environ['PATH']}", "PRE_COMMIT_HOME": str(tmp_path)}
    for stage in ("pre-commit", "pre-push"):
        result = installed_project.run("pre-commit", "run", "--all-files", "--hook-stage", stage, **tools)
        assert_ok(result)
        assert "Failed" not in result.stdout


@each_variation
def test_the_import_contracts_hold(installed_project: Project):
    result = installed_project.run("lint-imports")
    assert_ok(result)
    assert "0 broken" in result.stdout


def broken_contracts(project: Project, modules: dict[str, str]) -> str:
    """What ``lint-imports`` reports as broken with these modules (path: source) added for a moment."""
    package = project.path / project.slug
    for path, source in modules.items():
        (package / path).write_text(source.format(slug=project.slug), encoding="utf-8")
    try:
        result = project.run("lint-imports")
    finally:
        for path in modules:
            (package / path).unlink()
    assert result.returncode != 0, result.stdout
    return result.stdout.split("Broken contracts")[-1]


@pytest.mark.parametrize("installed_project", variation_params(["default"]), indirect=True)
@pytest.mark.parametrize(
    ("importer", "imported"),
    [("core", "organizations"), ("webhooks", "projects"), ("organizations", "webhooks"), ("accounts", "api")],
)
def test_an_import_up_a_layer_breaks_the_contract(installed_project: Project, importer: str, imported: str):
    slug = installed_project.slug
    broken = broken_contracts(installed_project, {f"{importer}/upward.py": f"import {{slug}}.{imported}.models\n"})
    assert f"{slug}.{importer} is not allowed to import {slug}.{imported}" in broken


@pytest.mark.parametrize("installed_project", variation_params(["default"]), indirect=True)
@pytest.mark.parametrize("package", ["core", "core/jobs"])  # an app, and a group of modules inside one
def test_an_import_cycle_inside_an_app_breaks_the_contract(installed_project: Project, package: str):
    cycle = {f"{package}/cycle_a.py": "from . import cycle_b\n", f"{package}/cycle_b.py": "from . import cycle_a\n"}
    broken = broken_contracts(installed_project, cycle)
    assert f"No cycles are allowed in {installed_project.slug}.{package.replace('/', '.')}." in broken


@each_variation
def test_django_checks_pass_and_no_migration_is_missing(installed_project: Project):
    assert_ok(installed_project.run("python", "manage.py", "check", "--fail-level", "WARNING"))
    assert_ok(installed_project.run("python", "manage.py", "makemigrations", "--check", "--dry-run"))


@each_variation
def test_the_committed_api_contracts_match_what_it_serves(installed_project: Project):
    """Without the example they are the hook's (.without-example/); docs/maintaining.md says how to refresh them."""
    assert_ok(installed_project.run("python", "manage.py", "api_contract"))


@each_variation
def test_production_settings_pass_the_deployment_checklist(installed_project: Project, services):
    env = {**PRODUCTION, **installed_project.full_mode()}

    assert_ok(installed_project.run("python", "manage.py", "check", "--deploy", "--fail-level", "WARNING", **env))


# Each answer set and each mode once, in two runs rather than four: the mode (services or none) and the answers
# (names, quotes, an ampersand, a time zone, the licence) are independent axes. The answers reach what a page, a
# mail or a setting renders, which every test in both modes checks; the services add behaviour (replicas, PgBouncer,
# brokers, workers) that no answer changes. So the default answers run in full mode, where every test runs against
# the real services, and the custom answers run with none, which is also what a founder on a laptop does first.
# The project without the example runs with none too: what it lacks shows in any mode. It leaves out the tests that
# neither the answers nor the example can change and that the custom run passes in the same mode: the
# infrastructure under tests/core (settings, brokers, pools, storage, dev tools), the machine's components, and bad
# input at every entry point (found from the contracts, so the custom run's are a superset). That is over 40% of the
# suite's time, and its pages, mails, API and apps all still run.
LEFT_TO_THE_CUSTOM_RUN = ["tests/core", "tests/test_components.py", "tests/test_bad_input.py"]


@pytest.mark.parametrize("installed_project", variation_params(["default"]), indirect=True)
@pytest.mark.needs("pgbouncer", "chromium")
def test_its_suite_passes_against_postgres_and_redis(installed_project: Project, services):
    result = installed_project.run(
        "pytest", "-q", "-p", "no:cacheprovider", timeout=1500, **installed_project.full_mode()
    )

    assert_ok(result)
    assert " passed" in result.stdout
    assert " skipped" not in result.stdout
    assert " deselected" not in result.stdout, "the replica and PgBouncer tests must run (see .ci/run)"


@pytest.mark.parametrize("installed_project", variation_params(["custom", "no-example"]), indirect=True)
@pytest.mark.needs("chromium")
def test_its_suite_passes_with_zero_services(installed_project: Project):
    left_out = LEFT_TO_THE_CUSTOM_RUN if installed_project.variation == "no-example" else []
    for path in left_out:
        assert (installed_project.path / path).exists(), f"{path} is gone: update LEFT_TO_THE_CUSTOM_RUN"
    ignored = [f"--ignore={path}" for path in left_out]
    result = installed_project.run("pytest", "-q", "-p", "no:cacheprovider", *ignored, timeout=1500)

    assert_ok(result)
    assert " skipped" not in result.stdout


@each_variation
def test_it_serves_pages_with_zero_services(installed_project: Project):
    assert_ok(installed_project.run("python", "manage.py", "migrate", "--noinput"))
    port = free_port()
    server = subprocess.Popen(
        [
            str(installed_project.path / ".venv/bin/python"),
            "manage.py",
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
        ],
        cwd=installed_project.path,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        home = wait_for(f"http://127.0.0.1:{port}/", process=server)
        assert home.status == 200
        assert b"Create your account" in home.read()
        ready = urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
