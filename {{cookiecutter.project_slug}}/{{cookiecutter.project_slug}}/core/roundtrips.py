"""Fewer round trips to Redis per request: a script call whose answer can wait rides along with the next read.

Some of a request's Redis work is known before its answer is needed: an API key's rate-limit
counters are known as soon as the key is, but compared only after the permission check. A
caller queues such a script call for the current request with ``ride_along``; the next read
that goes to Redis anyway (the permission set's GET, organizations.permissions) sends it in
the same pipeline with ``get_with_rides``: one round trip for both. ``Ride.result()`` answers
then, or, if no read came first, sends the call alone. ``Ride.cancel()`` drops a call not yet
sent (False if it was). Outside a request, nothing is queued: ``ride_along`` answers None and
the caller does its work itself.

The call is sent as EVALSHA in a plain pipeline (not redis-py's pipeline scripts, which ask
the server whether the script exists first: a round trip more); a server that does not know
the script answers NOSCRIPT, and the ride is then sent alone, which loads it.
"""

from typing import Any

from redis.exceptions import NoScriptError

from . import requestcache

_PENDING = "roundtrips:pending"  # the request memo's list of rides not yet sent


class Ride:
    """One script call of a request, sent with the next read or on its own."""

    def __init__(self, script: Any, keys: list[str], args: list[Any]) -> None:
        self.script, self.keys, self.args = script, keys, args
        self.sent = False
        self._value: Any = None
        self._error: BaseException | None = None

    def _queue(self, pipe: Any) -> None:
        pipe.evalsha(self.script.sha, len(self.keys), *self.keys, *self.args)

    def _answer(self, answer: Any) -> None:
        self.sent = True
        if isinstance(answer, NoScriptError):  # a restarted Redis: send it alone, which loads the script
            self._call()
        elif isinstance(answer, BaseException):
            self._error = answer
        else:
            self._value = answer

    def _call(self) -> None:
        self.sent = True
        try:
            self._value = self.script(keys=self.keys, args=self.args)
        except Exception as error:
            self._error = error

    def result(self) -> Any:
        """The script's answer (sent now if no read took it along); raises what sending it raised."""
        if not self.sent:
            _unqueue(self)
            self._call()
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> bool:
        """Drop the call if it was not sent yet; False if it was (its work is done)."""
        if self.sent:
            return False
        _unqueue(self)
        self.sent = True
        return True


def _unqueue(ride: Ride) -> None:
    memo = requestcache.memo()
    pending = memo.get(_PENDING) if memo is not None else None
    if pending and ride in pending:
        pending.remove(ride)


def ride_along(script: Any, *, keys: list[str], args: list[Any]) -> Ride | None:
    """Queue ``script(keys, args)`` (a redis-py Script) for this request's next read; None outside a request."""
    memo = requestcache.memo()
    if memo is None:
        return None
    ride = Ride(script, keys, args)
    memo.setdefault(_PENDING, []).append(ride)
    return ride


def get_with_rides(client: Any, key: str) -> bytes | None:
    """GET ``key`` on the raw redis-py ``client``, sending the request's queued rides in the same round trip."""
    memo = requestcache.memo()
    pending: list[Ride] = memo.pop(_PENDING, []) if memo is not None else []
    if not pending:
        found: bytes | None = client.get(key)
        return found
    try:
        with client.pipeline(transaction=False) as pipe:
            pipe.get(key)
            for ride in pending:
                ride._queue(pipe)
            stored, *answers = pipe.execute(raise_on_error=False)
    except Exception as error:  # the connection failed: every ride failed with the read
        for ride in pending:
            ride._answer(error)
        raise
    for ride, answer in zip(pending, answers, strict=True):
        ride._answer(answer)
    if isinstance(stored, BaseException):
        raise stored
    return stored  # type: ignore[no-any-return]
