"""Cursor (keyset) pagination: stable under concurrent inserts and as cheap on page 1,000 as on page 1.

A list is ordered by a unique key of indexed columns (``selectors.ORDERINGS``);
the cursor is that key of the last row served, opaque to clients. The next page
is ``WHERE key > cursor ORDER BY key LIMIT n + 1``: one query whatever the depth
or the page size, no COUNT, and rows inserted meanwhile neither repeat nor shift
the pages (offset pagination does both). DRF's CursorPagination keys on one
column and falls back to an offset among equal values; ours compares the whole
key, so an ordering by name (with the public id to break ties) is exact.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import TypedDict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from rest_framework.exceptions import ValidationError

DEFAULT_LIMIT = 20
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page[T: Model]:
    items: list[T]
    next_cursor: str | None


class PageBody(TypedDict):
    """A page as the API answers it: each item as its serializer (and the client's version) shows it."""

    results: list[dict[str, object]]
    next_cursor: str | None


def _encode(ordering: str, values: list[object]) -> str:
    raw = json.dumps([ordering, [str(value) for value in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _text(value: object) -> bool:
    """Whether a cursor value is text a database can compare: a string, no NUL, no lone surrogate."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _decode(cursor: str, ordering: str, model: type[Model], fields: tuple[str, ...]) -> list[object]:
    """The key in ``cursor``, each value checked and converted by its model field; anything else is a 400.

    A cursor is opaque to clients but not to attackers: it is validated as fully as
    any input, so that no value reaches the query that the database would refuse.
    """
    invalid = ValidationError({"cursor": ["This cursor is not valid for this list and ordering."]}, code="invalid")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_ordering, values = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise invalid from None
    if cursor_ordering != ordering or not isinstance(values, list) or len(values) != len(fields):
        raise invalid
    if not all(_text(value) for value in values):
        raise invalid
    try:
        key = [
            model._meta.get_field(name.lstrip("-")).to_python(value)  # type: ignore[union-attr]
            for name, value in zip(fields, values, strict=True)
        ]
    except (DjangoValidationError, ValueError, TypeError):
        raise invalid from None
    if any(value is None for value in key):
        raise invalid
    return key


def _after(fields: tuple[str, ...], values: list[object]) -> Q:
    """Rows after the key ``values`` in the order of ``fields`` (each ascending, or descending with "-").

    Expands the row comparison (a, b) > (x, y) into a >= x AND (a > x OR (a = x AND b > y)):
    portable, and the leading bound lets the database start its index scan at the cursor.
    """
    columns = [(name.lstrip("-"), "lt" if name.startswith("-") else "gt") for name in fields]
    first, first_op = columns[0]
    condition = Q()
    for index in range(len(columns) - 1, -1, -1):
        name, op = columns[index]
        step = Q(**{f"{name}__{op}": values[index]})
        equal = Q(**{columns[i][0]: values[i] for i in range(index)})
        condition = (equal & step) | condition if index < len(columns) - 1 else equal & step
    if len(columns) == 1:
        return condition
    return Q(**{f"{first}__{first_op}e": values[0]}) & condition


def paginate[T: Model](
    queryset: QuerySet[T], *, fields: tuple[str, ...], ordering: str, cursor: str | None, limit: int
) -> Page[T]:
    """One page of ``queryset`` ordered by ``fields`` (a unique key), after ``cursor``."""
    if cursor:
        queryset = queryset.filter(_after(fields, _decode(cursor, ordering, queryset.model, fields)))
    rows = list(queryset.order_by(*fields)[: limit + 1])
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], _encode(ordering, [getattr(last, name.lstrip("-")) for name in fields]))
