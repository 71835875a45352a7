"""The committed contracts (docs/api/) are what the code serves; released ones never change."""

import pytest
import yaml
from django.test import Client

from {{ cookiecutter.project_slug }}.api import contracts, schema
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

from tests.testapp import versions as test_versions

ERRORS = {"400", "401", "403", "404", "406", "429", "500"}


def test_every_committed_contract_matches_the_code():
    assert [str(problem) for problem in contracts.differences()] == []


def test_only_the_newest_version_is_unreleased():
    assert VERSIONS.latest.released is None or all(v.released for v in VERSIONS.versions)
    assert all(version.released for version in VERSIONS.versions[1:])


def on_test_versions(monkeypatch, folder, versions) -> None:
    """Write and check contracts in ``folder`` for the test-only ``versions`` (the schema is translated by them)."""
    monkeypatch.setattr(contracts, "folder", lambda: folder)
    monkeypatch.setattr(contracts, "VERSIONS", versions)
    monkeypatch.setattr(schema, "VERSIONS", versions)


def test_a_released_contract_is_never_rewritten(tmp_path, monkeypatch):
    on_test_versions(monkeypatch, tmp_path, test_versions.versions())
    contracts.write()
    released = contracts.schema_path("old")
    released.write_text(released.read_text() + "# edited by hand\n")

    written = contracts.write()

    assert released not in written
    problems = contracts.differences()
    assert [(p.path.name, p.frozen) for p in problems] == [("old.yaml", True)]
    assert "frozen" in str(problems[0])


def test_a_released_contract_is_rewritten_only_as_a_recorded_correction(tmp_path, monkeypatch):
    from {{ cookiecutter.project_slug }}.api.versioning import Correction

    on_test_versions(monkeypatch, tmp_path, test_versions.versions())
    contracts.write()
    released = contracts.schema_path("old")
    released.write_text("an understated contract")
    correction = Correction(on=test_versions.RELEASED, description="the contract states a limit the server enforced.")

    with pytest.raises(contracts.NoCorrection, match="old lists no Correction"):
        contracts.write(correct=("old",))
    assert released.read_text() == "an understated contract"

    on_test_versions(monkeypatch, tmp_path, test_versions.versions(correction))
    written = contracts.write(correct=("old",))
    assert set(written) - {contracts.changelog_path()} == {released}  # and the changelog lists the correction
    assert contracts.differences() == []


def test_the_command_corrects_a_released_contract_only_when_asked_with_write():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--correct needs --write"):
        call_command("api_contract", "--correct", VERSIONS.names[-1])


def test_an_unreleased_contract_is_rewritten(tmp_path, monkeypatch):
    on_test_versions(monkeypatch, tmp_path, test_versions.versions())
    contracts.write()
    contracts.schema_path("new").write_text("outdated")

    assert contracts.write() == [contracts.schema_path("new")]
    assert contracts.differences() == []


@pytest.mark.parametrize("version", VERSIONS.names)
def test_every_operation_documents_the_error_shape_and_posts_the_idempotency_key(version):
    document = yaml.safe_load(contracts.schema_path(version).read_text())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            documented = set(operation["responses"])
            assert documented >= ERRORS, (method, path)
            for status in ERRORS:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}
            if method == "post":
                assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]], path


@pytest.mark.parametrize("version", VERSIONS.names)
def test_the_schema_and_docs_are_served_per_version(version, db):
    schema = Client().get(f"/api/{version}/schema/", {"format": "json"})
    docs = Client().get(f"/api/{version}/docs/")

    assert schema.status_code == 200
    assert schema.json()["info"]["version"] == version
    assert yaml.safe_load(contracts.schema_path(version).read_text()) == schema.json()
    assert docs.status_code == 200
    assert f"/api/{version}/schema/" in docs.content.decode()


def test_the_changelog_names_every_change():
    changelog = contracts.changelog_path().read_text()
    for version in VERSIONS.versions:
        assert f"## {version.name}" in changelog
        for change in version.changes:
            assert change.description
            assert change.description in changelog
        for correction in version.corrections:
            assert f"Contract corrected {correction.on.isoformat()}: {correction.description}" in changelog


def test_an_endpoint_added_in_a_later_version_is_absent_from_older_ones(monkeypatch):
    from rest_framework.exceptions import NotAcceptable

    from {{ cookiecutter.project_slug }}.api import views

    monkeypatch.setattr(views, "VERSIONS", test_versions.versions())
    versioning = views.since("new")()

    assert versioning.determine_version(None, version="new") == "new"
    with pytest.raises(NotAcceptable) as refused:  # what drf-spectacular reads as "leave it out of old"
        versioning.determine_version(None, version="old")
    assert refused.value.status_code == 404  # what a client of the older version gets
