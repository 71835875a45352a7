"""What a read-only GET costs: the budget the issue sets, asserted on the real services."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

from tests.api.conftest import widgets_url
from tests.testapp.factories import WidgetFactory

pytestmark = pytest.mark.django_db


def queries_of(request) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200, response.content
    return [query["sql"] for query in captured.captured_queries]


def tables(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN|UPDATE|INTO) "?(\w+)"?', sql))


@pytest.mark.parametrize("rows", [1, 50, 200])
def test_a_list_is_one_query_whatever_the_page_size(api, organization, rows):
    WidgetFactory.create_batch(rows, organization=organization)
    api.get(widgets_url(organization))  # warm the key and the permission cache

    sql = queries_of(lambda: api.get(widgets_url(organization), limit=rows))

    assert len(sql) == 1, sql
    assert tables(sql[0]) == {"testapp_widget", "organizations_organization"}


def test_api_key_budget_cold_then_warm(api, organization):
    from {{ cookiecutter.project_slug }}.organizations import keys

    WidgetFactory.create_batch(3, organization=organization)
    keys._records.clear()  # a fresh process

    cold = queries_of(lambda: api.get(widgets_url(organization)))
    warm = queries_of(lambda: api.get(widgets_url(organization)))

    # Cold: authentication reads the key (1), the permission check computes its scopes once (1), the list (1).
    assert [tables(sql) for sql in cold] == [
        {"organizations_apikey", "organizations_organization"},
        {"organizations_apikey", "organizations_organization"},
        {"testapp_widget", "organizations_organization"},
    ]
    # Warm: authentication 0, permission 0, the list 1.
    assert len(warm) == 1


def test_session_budget_is_the_user_and_the_list(owner):
    client = Client()
    client.force_login(owner.user)
    url = f"/api/{VERSIONS.latest.name}/{widgets_url(owner.organization)}"
    client.get(url)  # warm the permission cache and the session's activity record

    sql = queries_of(lambda: client.get(url))

    assert [tables(query) for query in sql] == [{"accounts_user"}, {"testapp_widget", "organizations_organization"}]


def test_a_read_opens_no_transaction(api, organization):
    api.get(widgets_url(organization))

    sql = queries_of(lambda: api.get(widgets_url(organization)))

    # Inside the test's transaction an atomic block would show as a SAVEPOINT.
    assert not [q for q in sql if re.match(r"\s*(BEGIN|COMMIT|SAVEPOINT|RELEASE)", q, re.IGNORECASE)]
    assert not settings.DATABASES["default"].get("ATOMIC_REQUESTS")


def test_one_and_the_same_budget_on_the_oldest_version(api, organization):
    WidgetFactory.create_batch(20, organization=organization)
    api.version = VERSIONS.names[-1]
    api.get(widgets_url(organization))

    assert len(queries_of(lambda: api.get(widgets_url(organization)))) == 1
