"""Bad answers to the prompts stop generation with one sentence naming the field and the rule, and leave nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, bake


def run_cookiecutter(output_dir: Path, **answers: str) -> subprocess.CompletedProcess[str]:
    args = [f"{key}={value}" for key, value in answers.items()]
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output_dir), str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


BAD_ANSWERS = [
    ("project_slug", "class", 'project_slug "class" is a Python keyword'),
    ("project_slug", "match", 'project_slug "match" is a Python keyword'),
    ("project_slug", "Acme", 'project_slug "Acme" must be a lowercase Python identifier'),
    ("project_slug", "1acme", 'project_slug "1acme" must be a lowercase Python identifier'),
    ("project_slug", "acme-cloud", 'project_slug "acme-cloud" must be a lowercase Python identifier'),
    ("project_slug", "a", 'project_slug "a" must be a lowercase Python identifier of 2 to 40 characters'),
    ("project_slug", "django", 'project_slug "django" would shadow the module "django"'),
    ("project_slug", "dramatiq", 'project_slug "dramatiq" would shadow the module "dramatiq"'),
    ("project_slug", "config", 'project_slug "config" would shadow the module "config"'),
    ("project_slug", "test", 'project_slug "test" would shadow the module "test"'),
    ("project_slug", "email", 'project_slug "email" would shadow the module "email"'),
    ("email", "not-an-email", 'email "not-an-email" must be an address such as founders@example.com'),
    ("email", "ops@localhost", 'email "ops@localhost" must be an address such as founders@example.com'),
    ("email", "two words@example.com", 'email "two words@example.com" must be an address'),
    (
        "domain_name",
        "https://example.com",
        'domain_name "https://example.com" must be a lowercase domain name',
    ),
    ("domain_name", "example", 'domain_name "example" must be a lowercase domain name'),
    ("domain_name", "Example.com", 'domain_name "Example.com" must be a lowercase domain name'),
    ("domain_name", "example.com/app", 'domain_name "example.com/app" must be a lowercase domain name'),
    ("domain_name", "-edge.example.com", 'domain_name "-edge.example.com" must be a lowercase domain name'),
    ("domain_name", "under_score.example.com", 'domain_name "under_score.example.com" must be'),
    ("timezone", "Mars/Olympus_Mons", 'timezone "Mars/Olympus_Mons" must be an IANA time zone name'),
    ("version", "1.0", 'version "1.0" must be three numbers such as 0.1.0'),
    ("version", "v1.0.0", 'version "v1.0.0" must be three numbers'),
    ("project_name", "   ", "project_name must be 1 to 60 characters on one line"),
    ("project_name", "x" * 61, "project_name must be 1 to 60 characters on one line"),
    ("project_name", 'Acme "Cloud"', "project_name must not contain double quotes or backslashes"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_ANSWERS)
def test_a_bad_answer_is_refused_with_a_clear_message_and_nothing_on_disk(tmp_path, field, value, message):
    answers = {field: value}
    if field == "project_name":
        answers["project_slug"] = "acme_cloud"  # judge the name alone, not the slug derived from it

    result = run_cookiecutter(tmp_path, **answers)

    assert result.returncode != 0
    assert message in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1, "one sentence, on one line"
    assert list(tmp_path.iterdir()) == [], "no half-made project is left behind"


@pytest.mark.parametrize(
    "answers",
    [
        {"project_slug": "ab"},
        {"project_slug": "acme_cloud_2"},
        {"email": "a.b+c@mail.example.co.uk"},
        {"domain_name": "app.my-startup.io"},
        {"timezone": "America/Argentina/Buenos_Aires"},
        {"project_name": "Ünïcode Räder"},
    ],
)
def test_unusual_but_valid_answers_are_accepted(tmp_path, answers):
    project = bake(tmp_path, **answers)

    assert (project / "manage.py").is_file()


def test_the_default_slug_is_derived_from_the_name(tmp_path):
    project = bake(tmp_path, project_name="Zebra Labs & Co.")

    assert project.name == "zebra_labs_co"
    assert (project / "zebra_labs_co" / "core").is_dir()
