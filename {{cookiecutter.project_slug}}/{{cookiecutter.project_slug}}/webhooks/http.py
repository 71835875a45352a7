"""POST a delivery, refusing addresses inside the private network (SSRF) unless allowed."""

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

USER_AGENT = "{{ cookiecutter.project_slug }}-webhooks/1"
TIMEOUT_SECONDS = 10
EXCERPT = 1000


class UnsafeDestination(Exception):
    """The URL points into a private network, or is not http(s)."""


@dataclass(frozen=True)
class Response:
    status: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def check_destination(url: str, *, allow_private: bool, require_https: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or (require_https and parts.scheme != "https"):
        raise UnsafeDestination("the URL must start with https://" if require_https else "the URL must be http(s)")
    if not parts.hostname:
        raise UnsafeDestination("the URL has no host")
    if allow_private:
        return
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror:
        raise UnsafeDestination(f"{parts.hostname} does not resolve") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise UnsafeDestination(f"{parts.hostname} resolves to a private address ({ip})")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is answered as a failed delivery, never followed


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    request = urllib.request.Request(  # noqa: S310  (the scheme is checked by check_destination)
        url,
        data=body,
        method="POST",
        headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            excerpt = answer.read(EXCERPT).decode("utf-8", "replace")
            return Response(answer.status, excerpt, "", elapsed())
    except urllib.error.HTTPError as error:
        excerpt = error.read(EXCERPT).decode("utf-8", "replace") if error.fp else ""
        return Response(error.code, excerpt, f"HTTP {error.code}", elapsed())
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Response(None, "", f"{type(reason).__name__}: {reason}"[:500], elapsed())
