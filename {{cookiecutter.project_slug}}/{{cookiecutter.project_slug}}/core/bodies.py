"""Request bodies at the JSON entry points, checked once before any view reads them.

A view that parses JSON trusts the body it is given: a body over Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` raises ``RequestDataTooBig`` wherever it is first
read, and JSON nested thousands of levels deep raises ``RecursionError`` in the
parser (or later, in whatever walks the result). Both were 500s. This middleware
reads the body of every request under a registered prefix first and answers, in
that entry point's own error shape:

- 400 ``bad_request``: the body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``;
- 400 ``parse_error``: JSON nested more than ``MAX_DEPTH`` levels (or brackets that never close);
- 400 ``parse_error``: a lone surrogate escaped in a string (``"\\ud800"``): valid JSON grammar, but
  not text that UTF-8, a password hasher or the database can take (each raised UnicodeEncodeError);
- 415 ``unsupported_media_type``: a charset other than UTF-8 (JSON is UTF-8, RFC 8259).

Apps register their prefix and error renderer in ``AppConfig.ready`` (``register``),
so this module names no app.
"""

import codecs
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase

MAX_DEPTH = 32
UTF8 = {"utf-8", "ascii"}

type ErrorRenderer = Callable[[HttpRequest, int, str, str], HttpResponse]
_entry_points: dict[str, ErrorRenderer] = {}


def register(prefix: str, render_error: ErrorRenderer) -> None:
    """Check the bodies of requests under ``prefix``; ``render_error(request, status, code, message)`` answers."""
    _entry_points[prefix] = render_error


# A JSON string (escapes included), whose brackets do not nest anything.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON ``body`` nests more than ``limit`` arrays and objects (or leaves some open).

    No parsing, no recursion: strings are cut out, the brackets kept, and each round
    removes every innermost pair; whatever is left after ``limit`` rounds nests deeper.
    Bytes are enough: in UTF-8 a bracket or quote byte is never part of another character.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", body).translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        inner = brackets.replace(b"()", b"")
        if inner == brackets:
            break
        brackets = inner
    return b"(" in brackets


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def lone_surrogate(body: bytes) -> bool:
    """Whether JSON ``body`` holds a string with half of a UTF-16 surrogate pair (call after ``too_deep``)."""
    if not _SURROGATE_ESCAPE.search(body):
        return False  # the usual case: no escaped surrogate at all, no parsing
    try:
        data = json.loads(body)
    except ValueError:
        return False  # not JSON: the view refuses it in its own words
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


def problem(request: HttpRequest) -> tuple[int, str, str] | None:
    """Why the request's body is refused (status, code, message), or None."""
    try:
        body = request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 400, "bad_request", f"The request body is larger than the limit of {limit:,} bytes."
    if not body:
        return None
    if request.encoding and codecs.lookup(request.encoding).name not in UTF8:
        return 415, "unsupported_media_type", "Send JSON in UTF-8."
    if too_deep(body):
        return 400, "parse_error", f"The JSON is nested more than {MAX_DEPTH} levels deep, or not closed."
    if lone_surrogate(body):
        return 400, "parse_error", "The JSON has a string with a lone surrogate (\\ud800 to \\udfff): not valid text."
    return None


class JsonBodyMiddleware:
    """Refuse an oversized or too deeply nested body at a JSON entry point, before any view or middleware reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        for prefix, render_error in _entry_points.items():
            if request.path.startswith(prefix):
                found = problem(request)
                if found is not None:
                    return render_error(request, *found)
                break
        return self.get_response(request)
