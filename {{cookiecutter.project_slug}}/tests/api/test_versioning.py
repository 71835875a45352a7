"""Version changes translate requests up and responses, errors and the schema down (api.versioning).

On the test-only versions (tests/testapp/versions.py), so they hold whatever versions the project has.
"""

import pytest
from rest_framework.exceptions import ValidationError

from tests.testapp.versions import RENAME, versions


def test_an_older_request_is_translated_up_and_the_newest_is_left_as_it_is():
    api = versions()

    assert api.request_up("old", "WidgetInput", {"title": "a", "size": 1}) == {"name": "a", "size": 1}
    assert api.request_up("new", "WidgetInput", {"title": "a"}) == {"title": "a"}
    assert api.request_up("old", "Other", {"title": "a"}) == {"title": "a"}  # only the resources it names


def test_a_field_sent_under_both_names_is_refused_rather_than_one_dropped():
    with pytest.raises(ValidationError) as refused:
        versions().request_up("old", "WidgetInput", {"title": "a", "name": "b"})

    assert "title" in refused.value.detail  # a dict of field errors here


def test_an_older_query_is_translated_up_its_ordering_and_filter_too():
    api = versions()

    assert api.query_up("old", "WidgetListQuery", {"ordering": "-title", "title": "a"}) == {
        "ordering": "-name",
        "name": "a",
    }


def test_a_response_and_an_error_field_are_translated_down_in_place():
    api = versions()

    assert list(api.response_down("old", "Widget", {"id": 1, "name": "a", "size": 2})) == ["id", "title", "size"]
    assert api.response_down("new", "Widget", {"name": "a"}) == {"name": "a"}
    assert api.error_field_down("old", "WidgetInput", "name") == "title"


def test_the_older_schema_names_the_field_as_its_clients_know_it():
    document = {
        "components": {"schemas": {"Widget": {"properties": {"name": {}, "size": {}}, "required": ["name"]}}},
        "paths": {
            "/widgets/": {
                "get": {
                    "parameters": [
                        {"in": "query", "name": "name"},
                        {"in": "query", "name": "ordering", "schema": {"enum": ["name", "-name", "size"]}},
                    ]
                }
            }
        },
    }

    versions().schema_down("old", document)

    widget = document["components"]["schemas"]["Widget"]
    assert widget == {"properties": {"title": {}, "size": {}}, "required": ["title"]}
    name, ordering = document["paths"]["/widgets/"]["get"]["parameters"]
    assert name["name"] == "title"
    assert ordering["schema"]["enum"] == ["title", "-title", "size"]


def test_a_resource_registers_its_changes_on_a_known_version_only():
    api = versions()

    api.register("old", changes=(RENAME,))

    assert api["old"].changes == (RENAME,)
    assert api.changes_after("old") == [RENAME]  # old's own changes led to it: what came after is new's
    with pytest.raises(ValueError, match="unknown API version 'v0'"):
        api.register("v0", changes=(RENAME,))


def test_the_changelog_lists_each_version_with_its_changes():
    changelog = versions().changelog()

    assert "## new (not released yet)\n\n- Widgets: `title` is renamed `name`" in changelog
    assert "## old (released 2025-01-06)\n\n- The first version." in changelog
