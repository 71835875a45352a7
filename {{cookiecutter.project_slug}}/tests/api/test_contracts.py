"""The committed contracts (docs/api/) are what the code serves; released ones never change."""

import pytest
import yaml
from django.test import Client

from {{ cookiecutter.project_slug }}.api import contracts
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

ERRORS = {"400", "401", "403", "404", "406", "429", "500"}


def test_every_committed_contract_matches_the_code():
    assert [str(problem) for problem in contracts.differences()] == []


def test_only_the_newest_version_is_unreleased():
    assert VERSIONS.latest.released is None or all(v.released for v in VERSIONS.versions)
    assert all(version.released for version in VERSIONS.versions[1:])


def test_a_released_contract_is_never_rewritten(tmp_path, monkeypatch, settings):
    monkeypatch.setattr(contracts, "folder", lambda: tmp_path)
    contracts.write()
    released = contracts.schema_path("v1")
    released.write_text(released.read_text().replace("title:", "name:"))

    written = contracts.write()

    assert released not in written
    problems = contracts.differences()
    assert [(p.path.name, p.frozen) for p in problems] == [("v1.yaml", True)]
    assert "frozen" in str(problems[0])


def test_a_released_contract_is_rewritten_only_as_a_recorded_correction(tmp_path, monkeypatch):
    from {{ cookiecutter.project_slug }}.api.versioning import Correction, Version, Versions

    monkeypatch.setattr(contracts, "folder", lambda: tmp_path)
    contracts.write()
    released = contracts.schema_path("v1")
    released.write_text("an understated contract")
    v1 = VERSIONS["v1"]
    uncorrected = Versions(VERSIONS.latest, Version("v1", released=v1.released, changes=v1.changes))
    correction = Correction(on=v1.released, description="the contract states a limit the server always enforced.")
    corrected = Versions(VERSIONS.latest, Version("v1", released=v1.released, corrections=(correction,)))

    with monkeypatch.context() as patched:
        patched.setattr(contracts, "VERSIONS", uncorrected)
        with pytest.raises(contracts.NoCorrection, match="v1 lists no Correction"):
            contracts.write(correct=("v1",))
    assert released.read_text() == "an understated contract"

    monkeypatch.setattr(contracts, "VERSIONS", corrected)
    written = contracts.write(correct=("v1",))
    assert set(written) - {contracts.changelog_path()} == {released}  # and the changelog lists the correction
    assert contracts.differences() == []


def test_the_command_corrects_a_released_contract_only_when_asked_with_write():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--correct needs --write"):
        call_command("api_contract", "--correct", "v1")


def test_an_unreleased_contract_is_rewritten(tmp_path, monkeypatch):
    monkeypatch.setattr(contracts, "folder", lambda: tmp_path)
    contracts.write()
    contracts.schema_path("v2").write_text("outdated")

    assert contracts.write() == [contracts.schema_path("v2")]
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


def test_an_endpoint_added_in_a_later_version_is_absent_from_older_ones():
    from rest_framework.exceptions import NotAcceptable

    from {{ cookiecutter.project_slug }}.api.views import since

    versioning = since("v2")()

    assert versioning.determine_version(None, version="v2") == "v2"
    with pytest.raises(NotAcceptable) as refused:  # what drf-spectacular reads as "leave it out of v1"
        versioning.determine_version(None, version="v1")
    assert refused.value.status_code == 404  # what a v1 client gets
