"""A delivery connects to an address it checked, over real TCP and TLS, sending the endpoint's name as Host and SNI."""

import http.server
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.webhooks import http as webhook_http

NAME = "hooks.example.test"


class TlsReceiver:
    """An HTTPS server on loopback with a certificate for ``name``; records Host, path and the SNI it was sent."""

    def __init__(self, ca: Any, name: str) -> None:
        self.requests: list[tuple[str, str]] = []
        self.server_names: list[str | None] = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(name).configure_cert(context)
        context.sni_callback = lambda sock, server_name, ctx: self.server_names.append(server_name)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.headers["Host"], self.path))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tls_receiver(trusted_ca) -> Iterator[TlsReceiver]:
    server = TlsReceiver(trusted_ca, NAME)
    yield server
    server.close()


def post(url: str, *, allow_private: bool = True) -> webhook_http.Response:
    return webhook_http.post(url, b"{}", {"webhook-id": "msg_1"}, allow_private=allow_private, require_https=True)


def test_a_delivery_goes_to_the_checked_address_with_the_name_as_host_and_sni(dns, tls_receiver):
    dns.names[NAME] = ["127.0.0.1"]

    response = post(f"https://{NAME}:{tls_receiver.port}/in?source=test")

    assert (response.status, response.error) == (204, "")
    assert tls_receiver.requests == [(f"{NAME}:{tls_receiver.port}", "/in?source=test")]
    assert tls_receiver.server_names == [NAME]
    assert dns.lookups == [NAME], "resolved once, and the connection used that answer"


def test_the_certificate_must_be_for_the_endpoints_name_not_its_address(dns, trusted_ca):
    other = TlsReceiver(trusted_ca, "someone-else.example.test")
    dns.names[NAME] = ["127.0.0.1"]
    try:
        response = post(f"https://{NAME}:{other.port}/in")
    finally:
        other.close()

    assert response.status is None
    assert "CERTIFICATE_VERIFY_FAILED" in response.error
    assert other.requests == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["93.184.215.14", "127.0.0.1"],  # every address counts, not just the first
        ["10.0.0.8"],
        ["169.254.169.254"],
        ["0.0.0.0"],  # noqa: S104  (reaches this host)
        ["100.64.0.1"],
        ["224.0.0.1"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["fd00::1"],
    ],
)
def test_a_name_with_any_private_address_is_refused_before_connecting(dns, addresses):
    dns.names[NAME] = addresses

    response = post(f"https://{NAME}/in", allow_private=False)

    assert response.status is None
    assert response.error == f"Refused: {NAME} resolves to a private address; nothing was sent."


def test_a_public_name_is_allowed(dns):
    dns.names[NAME] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]

    destination = webhook_http.resolve(f"https://{NAME}/in", allow_private=False, require_https=True)

    assert [address[4][0] for address in destination.addresses] == dns.names[NAME]
