"""What the load profile's runs share: tests/test_load_profile.py and scripts/capacity.py.

Locust runs from the generated project's ``loadtest`` dependency group in a throwaway environment, as
loadtests/README.md says, so the baked venv stays as installed; the webhook test events the profile sends go to
a receiver on loopback that keeps what it was sent.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LOCUST = ("uv", "run", "--frozen", "--isolated", "--only-group", "loadtest")


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver on a free loopback port that keeps what it was sent."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], dict]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


@contextmanager
def receiving() -> Iterator[Receiver]:
    """A Receiver serving from a thread until the block ends."""
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
