import json
import logging
import sys

from {{ cookiecutter.project_slug }}.core.observability.logging import JsonFormatter, RequestIdFilter, request_id


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "app.orders", "levelname": "WARNING", "levelno": 30, "msg": message})
    record.__dict__.update(extra)
    RequestIdFilter().filter(record)
    return record


def test_json_lines_carry_level_logger_message_and_request_id():
    token = request_id.set("req-abc-123")
    try:
        line = JsonFormatter().format(_record("order %s failed", order_id=42))
    finally:
        request_id.reset(token)

    payload = json.loads(line)
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "app.orders"
    assert payload["request_id"] == "req-abc-123"
    assert payload["order_id"] == 42
    assert payload["time"].endswith("+00:00")


def test_json_lines_include_the_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()

    payload = json.loads(JsonFormatter().format(record))

    assert "ValueError: boom" in payload["exception"]


def test_outside_a_request_the_id_is_a_dash():
    assert json.loads(JsonFormatter().format(_record("idle")))["request_id"] == "-"
