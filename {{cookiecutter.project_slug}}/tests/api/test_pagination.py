"""Cursor pagination: every row exactly once, in order, also while rows are inserted."""

import time

import pytest

from tests.api.conftest import widgets_url
from tests.testapp.factories import WidgetFactory

pytestmark = pytest.mark.django_db


def walk(api, organization, cursor=None, **params):
    seen = []
    while True:
        page = api.get(widgets_url(organization), **params, **({"cursor": cursor} if cursor else {})).json()
        seen += page["results"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_pages_cover_every_row_once_newest_first(api, organization):
    widgets = WidgetFactory.create_batch(7, organization=organization)

    seen = walk(api, organization, limit=3)

    # UUIDv7 order: creation time to the millisecond, then random within one millisecond.
    assert [p["id"] for p in seen] == [str(i) for i in sorted((p.public_id for p in widgets), reverse=True)]


def test_ordering_by_name_with_ties_is_exact(api, organization):
    for name in ["b", "a", "b", "c", "b", "a"]:
        WidgetFactory(organization=organization, name=name)

    seen = walk(api, organization, limit=2, ordering="name")
    backwards = walk(api, organization, limit=2, ordering="-name")

    assert [p["name"] for p in seen] == ["a", "a", "b", "b", "b", "c"]
    assert len({p["id"] for p in seen}) == 6
    assert [p["id"] for p in backwards] == [p["id"] for p in reversed(seen)]


def test_rows_inserted_between_pages_neither_repeat_nor_shift_the_pages(api, organization):
    WidgetFactory.create_batch(4, organization=organization)
    first = api.get(widgets_url(organization), limit=2, ordering="created_at").json()

    time.sleep(0.002)  # UUIDv7s of a later millisecond: these land after the cursor
    WidgetFactory.create_batch(3, organization=organization)
    rest = walk(api, organization, limit=2, ordering="created_at", cursor=first["next_cursor"])

    ids = [p["id"] for p in first["results"] + rest]
    assert len(ids) == len(set(ids)) == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "garbage"}, "cursor"),
        ({"ordering": "size"}, "ordering"),
        ({"limit": "201"}, "limit"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_list_parameters_are_refused_by_name(api, organization, params, field):
    response = api.get(widgets_url(organization), **params)

    assert response.status_code == 400
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]


def test_a_cursor_of_another_ordering_is_refused(api, organization):
    WidgetFactory.create_batch(3, organization=organization)
    cursor = api.get(widgets_url(organization), limit=1).json()["next_cursor"]

    response = api.get(widgets_url(organization), limit=1, ordering="name", cursor=cursor)

    assert response.status_code == 400
