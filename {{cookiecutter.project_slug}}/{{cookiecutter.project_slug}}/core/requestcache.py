"""A dictionary that lives as long as the current request, for memoising lookups.

RequestIdMiddleware opens it when a request starts and the request_finished
signal drops it, so nothing leaks into the next request on the same thread.
Outside a request (jobs, shell) ``memo()`` returns None: callers then skip
memoisation.
"""

from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict[Any, Any] | None] = ContextVar("request_memo", default=None)


def start() -> None:
    _memo.set({})


def clear(**kwargs: object) -> None:
    _memo.set(None)


def memo() -> dict[Any, Any] | None:
    return _memo.get()
