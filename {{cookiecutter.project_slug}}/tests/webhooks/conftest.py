"""A name server the tests control: some names resolve from a table, which a test changes as DNS would change."""

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.webhooks import http as webhook_http


class Resolver:
    """``socket.getaddrinfo`` answering the names in ``names`` itself and the rest as before; records lookups.

    No DNS server runs here, so the name server is what is replaced; every connection is still real.
    """

    def __init__(self, real: Any) -> None:
        self.real = real
        self.names: dict[str, list[str]] = {}
        self.lookups: list[str] = []

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in self.names:
            return list(self.real(host, port, *args, **kwargs))
        self.lookups.append(host)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
            for address in self.names[host]
        ]


@pytest.fixture
def dns(monkeypatch) -> Resolver:
    resolver = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return resolver


@pytest.fixture
def trusted_ca() -> Iterator[Any]:
    """A certificate authority that deliveries trust, as if it were a public one."""
    import trustme

    ca = trustme.CA()
    webhook_http.tls_context.cache_clear()
    ca.configure_trust(webhook_http.tls_context())
    yield ca
    webhook_http.tls_context.cache_clear()
