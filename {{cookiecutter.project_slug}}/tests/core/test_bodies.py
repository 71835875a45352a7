"""core.bodies: what a JSON entry point refuses before any view reads the body, and what it lets through."""

import json

import pytest

from {{ cookiecutter.project_slug }}.core.bodies import MAX_DEPTH, lone_surrogate, too_deep

pytestmark = pytest.mark.django_db


def nested(depth: int, open_: str = "[", close: str = "]") -> bytes:
    return (open_ * depth + close * depth).encode()


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (nested(MAX_DEPTH), False),
        (nested(MAX_DEPTH + 1), True),
        (b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), True),
        (b"[" * 20_000, True),  # never closed
        (json.dumps({"text": "[" * 10_000, "list": [[1]] * 1_000}).encode(), False),  # brackets in strings, siblings
        (json.dumps({"quote": 'say \\"[[[\\"' * 100}).encode(), False),  # escaped quotes do not end the string
        (b"]" * 100, False),  # not JSON, but not deep: the parser says what is wrong
    ],
)
def test_depth_is_measured_without_parsing(body, deep):
    assert too_deep(body) is deep


@pytest.mark.parametrize(
    ("body", "lone"),
    [
        (b'{"password": "\\ud800"}', True),
        (b'{"password": "\\udc00x"}', True),
        (b'{"\\ud800": 1}', True),
        (b'{"emoji": "\\ud83d\\ude00"}', False),  # a pair is one character
        (b'{"literal": "\\\\ud800"}', False),  # a backslash, then text
        (b'{"broken": "\\ud800', False),  # not JSON: the view says so
    ],
)
def test_lone_surrogates_are_found_and_pairs_are_not(body, lone):
    assert lone_surrogate(body) is lone


def test_pages_are_not_json_entry_points(client):
    response = client.post("/accounts/login/", {"login": "[" * 100, "password": "x"})

    assert response.status_code == 200  # the form answers: the body was not refused as JSON
