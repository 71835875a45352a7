"""POST a delivery to an address that was checked, refusing the private network (SSRF) unless allowed.

Checking a URL when it is saved is not enough: by the time of a delivery its name
may resolve elsewhere (DNS rebinding, a short TTL), and an HTTP client that looks
the name up again connects wherever it points then, 127.0.0.1 included. So every
delivery (a test event too) resolves the host once, checks every address it got,
and connects to a checked address itself, sending the original name as the Host
header and, over TLS, as SNI and as the name the certificate must carry.

A refused destination is logged as refused and nothing else: no connection is
tried, so the log cannot tell an open internal port from a closed one.
"""

import functools
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

USER_AGENT = "{{ cookiecutter.project_slug }}-webhooks/1"
TIMEOUT_SECONDS = 10
EXCERPT = 1000

type SocketAddress = tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]
type Address = tuple[socket.AddressFamily, socket.SocketKind, int, str, SocketAddress]  # one getaddrinfo() result


class UnsafeDestination(Exception):
    """The URL points into a private network, is not http(s), or does not resolve."""


@dataclass(frozen=True)
class Response:
    status: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class Destination:
    """Where a URL leads: its host and port, the path to ask for, and the checked addresses to connect to."""

    tls: bool
    host: str
    port: int
    target: str
    addresses: list[Address]


def _split(url: str, *, require_https: bool) -> tuple[bool, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or (require_https and parts.scheme != "https"):
        raise UnsafeDestination("the URL must start with https://" if require_https else "the URL must be http(s)")
    if not parts.hostname:
        raise UnsafeDestination("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeDestination("the URL's port is not valid") from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme == "https", parts.hostname, port, target


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str, *, allow_private: bool, require_https: bool) -> Destination:
    """Look the URL's host up once and check every address; UnsafeDestination if any is not public."""
    tls, host, port, target = _split(url, require_https=require_https)
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeDestination(f"{host} does not resolve") from None
    if not allow_private and not all(_public(str(address[4][0])) for address in addresses):
        raise UnsafeDestination(f"{host} resolves to a private address")
    return Destination(tls, host, port, target, addresses)


def check_destination(url: str, *, allow_private: bool, require_https: bool) -> None:
    """Refuse a URL when it is saved; deliveries check again (``post``). With private networks allowed, no lookup."""
    if allow_private:
        _split(url, require_https=require_https)
    else:
        resolve(url, allow_private=False, require_https=require_https)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, verifying the host name (loaded once per process)."""
    return ssl.create_default_context()


def _connect(destination: Destination, timeout: float) -> socket.socket:
    """A connection to the first checked address that answers (never a new lookup)."""
    error: OSError = OSError(f"no address for {destination.host}")
    for family, kind, proto, _, sockaddr in destination.addresses:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError as failed:
            sock.close()
            error = failed
        else:
            return sock
    raise error


class _Connection(http.client.HTTPConnection):
    def __init__(self, destination: Destination) -> None:
        super().__init__(destination.host, destination.port, timeout=TIMEOUT_SECONDS)
        self.destination = destination

    def connect(self) -> None:
        self.sock = _connect(self.destination, TIMEOUT_SECONDS)


class _TlsConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination) -> None:
        super().__init__(destination.host, destination.port, timeout=TIMEOUT_SECONDS, context=tls_context())
        self.destination = destination

    def connect(self) -> None:
        sock = _connect(self.destination, TIMEOUT_SECONDS)
        self.sock = tls_context().wrap_socket(sock, server_hostname=self.destination.host)


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, require_https: bool) -> Response:
    """POST ``body`` to ``url`` at a checked address. Redirects are answers (never followed); errors are logged."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        destination = resolve(url, allow_private=allow_private, require_https=require_https)
    except UnsafeDestination as refused:
        return Response(None, "", f"Refused: {refused}; nothing was sent.", elapsed())
    connection = (_TlsConnection if destination.tls else _Connection)(destination)
    try:
        connection.request(
            "POST",
            destination.target,
            body=body,
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        answer = connection.getresponse()
        excerpt = answer.read(EXCERPT).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        return Response(None, "", f"{type(error).__name__}: {error}"[:500], elapsed())
    finally:
        connection.close()
    ok = 200 <= answer.status < 300
    return Response(answer.status, excerpt, "" if ok else f"HTTP {answer.status}", elapsed())
