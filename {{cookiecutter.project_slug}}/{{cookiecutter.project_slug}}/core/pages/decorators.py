"""Typed wrappers of library view decorators."""

from collections.abc import Callable
from typing import cast

from allauth.account.decorators import reauthentication_required as _reauthentication_required
from django.http import HttpResponseBase


def reauthentication_required[View: Callable[..., HttpResponseBase]](
    *, allow_get: bool = False
) -> Callable[[View], View]:
    """Ask for the password (or a passkey, or a code) again before a sensitive action.

    allauth redirects to its re-authentication page when the last authentication
    is older than ACCOUNT_REAUTHENTICATION_TIMEOUT, then back to the view.
    """
    return cast(Callable[[View], View], _reauthentication_required(allow_get=allow_get))
