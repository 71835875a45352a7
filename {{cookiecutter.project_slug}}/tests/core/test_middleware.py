import logging
import re

import pytest

from {{ cookiecutter.project_slug }}.core.observability.logging import RequestIdFilter

GENERATED = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize("incoming", ["req-12345678", "7f9c2ba4-e88f-4c2a-9f3e-1b2c3d4e5f60", "a.b:c_d-e"])
def test_a_sane_request_id_is_kept_and_echoed(client, incoming):
    response = client.get("/healthz", headers={"x-request-id": incoming})

    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "short", "x" * 129, "has spaces in it", "new\nline-injection", "<script>alert(1)</script>"],
)
def test_an_insane_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"x-request-id": incoming})

    assert response["X-Request-ID"] != incoming
    assert GENERATED.match(response["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert first != second


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.django_db
def test_log_lines_written_during_a_request_carry_its_id(client):
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    try:
        client.get("/no-such-page", headers={"x-request-id": "trace-me-0001"})
    finally:
        logging.getLogger().removeHandler(capture)

    not_found = [r for r in capture.records if r.name == "django.request"]
    assert not_found, "Django logs a warning for every 404"
    assert all(r.request_id == "trace-me-0001" for r in not_found)
