"""Each baked variation installs from its lock, passes its linters and checks, and its own suite passes.

These are the slow tests: each variation is installed once (``uv sync --frozen``)
and its tools run against the real Postgres and Redis.
"""

from __future__ import annotations

import subprocess
import urllib.request

import pytest
from conftest import Project, assert_ok, clean_environment, free_port, variation_params, wait_for

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
def test_django_checks_pass_and_no_migration_is_missing(installed_project: Project):
    assert_ok(installed_project.run("python", "manage.py", "check", "--fail-level", "WARNING"))
    assert_ok(installed_project.run("python", "manage.py", "makemigrations", "--check", "--dry-run"))


@each_variation
def test_production_settings_pass_the_deployment_checklist(installed_project: Project, services):
    env = {**PRODUCTION, **installed_project.full_mode()}

    assert_ok(installed_project.run("python", "manage.py", "check", "--deploy", "--fail-level", "WARNING", **env))


@each_variation
def test_its_suite_passes_against_postgres_and_redis(installed_project: Project, services):
    result = installed_project.run("pytest", "-q", "-p", "no:cacheprovider", **installed_project.full_mode())

    assert_ok(result)
    assert " passed" in result.stdout
    assert " skipped" not in result.stdout
    assert " deselected" not in result.stdout, "the replica and PgBouncer tests must run (see .ci/run)"


@each_variation
def test_its_suite_passes_with_zero_services(installed_project: Project):
    result = installed_project.run("pytest", "-q", "-p", "no:cacheprovider")

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
