"""The example's part of the committed contracts (docs/api/): what they say about projects."""

import yaml
from django.db import models

from {{ cookiecutter.project_slug }}.api import contracts
from {{ cookiecutter.project_slug }}.projects import selectors
from {{ cookiecutter.project_slug }}.projects.models import Project


def test_the_contracts_say_what_the_server_refuses():
    """A blank name is refused (400), so the schema says minLength 1; a blank description is allowed."""
    for version, name in (("v1", "title"), ("v2", "name")):
        schemas = yaml.safe_load(contracts.schema_path(version).read_text())["components"]["schemas"]
        for component in ("ProjectCreateInput", "ProjectUpdateInput"):
            properties = schemas[component]["properties"]
            assert properties[name]["minLength"] == 1, (version, component)
            assert "minLength" not in properties["description"], (version, component)


def test_lists_order_and_filter_on_indexed_columns_only():
    """Each ordering is the prefix of an index that starts with the organization, so no list sorts in memory."""
    indexes = [tuple(index.fields) for index in Project._meta.indexes]
    for fields in selectors.ORDERINGS.values():
        columns = tuple(name.lstrip("-") for name in fields)
        assert any(index[: len(columns) + 1] == ("organization", *columns) for index in indexes), fields
    assert ("organization", "name", "public_id") in indexes  # the name filter
    assert isinstance(Project._meta.get_field("public_id"), models.UUIDField)
