"""Traces: one trace id follows a request into the jobs it enqueues (spans kept in memory)."""

import io
import json
import logging
import os
from collections.abc import Iterator

import dramatiq
import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.jobs.sending import send_on_commit
from {{ cookiecutter.project_slug }}.core.observability.logging import JsonFormatter, RequestIdFilter
from {{ cookiecutter.project_slug }}.core.observability.tracing import init_tracing, shutdown_tracing

job_log = io.StringIO()


@dramatiq.actor
def build_report(name: str) -> None:
    logging.getLogger("tests.reports").info("building %s", name)


@dramatiq.actor(max_retries=0)
def broken_report() -> None:
    raise ValueError("no data")


def start_report(request: HttpRequest) -> HttpResponse:
    send_on_commit(build_report, "monthly")
    return HttpResponse("queued", status=202)


def read_through(request: HttpRequest) -> HttpResponse:
    cache.set("traced", "yes", timeout=10)
    return HttpResponse(str(User.objects.count()))


urlpatterns = [path("reports", start_report), path("count", read_through)]


class Spans:
    def __init__(self, provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
        self.provider, self.exporter = provider, exporter

    def finished(self) -> list[ReadableSpan]:
        self.provider.force_flush()
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> ReadableSpan:
        [span] = [span for span in self.finished() if span.name == name]
        return span


@pytest.fixture
def spans() -> Iterator[Spans]:
    exporter = InMemorySpanExporter()
    provider = init_tracing(
        endpoint="", service_name="test", environment="test", release="abc123", sample_ratio=1.0, exporter=exporter
    )
    assert provider is not None
    try:
        yield Spans(provider, exporter)
    finally:
        shutdown_tracing()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def test_tracing_is_off_without_an_endpoint():
    assert init_tracing(endpoint="", service_name="x", environment="x", release="", sample_ratio=1.0) is None


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_a_job_span_carries_the_trace_id_of_the_request_that_enqueued_it(client, spans, jobs, log_lines):
    response = client.get("/reports")
    jobs.run()

    assert response.status_code == 202
    request_span = next(span for span in spans.finished() if span.kind == SpanKind.SERVER)
    job_span = spans.named("build_report process")
    send_span = spans.named("build_report send")
    trace_id = request_span.context.trace_id
    assert job_span.context.trace_id == send_span.context.trace_id == trace_id
    assert job_span.kind == SpanKind.CONSUMER
    assert job_span.parent is not None
    assert job_span.parent.span_id == send_span.context.span_id
    assert dict(job_span.attributes or {})["messaging.system"] == "dramatiq"

    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    access = next(line for line in lines if line["logger"] == "access")
    job = next(line for line in lines if line["logger"] == "tests.reports")
    assert access["trace_id"] == job["trace_id"] == format(trace_id, "032x")
    assert access["span_id"] != job["span_id"]
    assert job["request_id"] == access["request_id"] == response["X-Request-ID"]


def test_a_failing_job_marks_its_span_as_an_error(spans, jobs):
    broken_report.send()

    jobs.run(fail_fast=False)

    span = spans.named("broken_report process")
    assert not span.status.is_ok
    assert span.status.description == "ValueError"
    assert span.events[0].name == "exception"


def test_a_job_sent_outside_a_request_starts_its_own_trace(spans, jobs):
    build_report.send("adhoc")
    build_report.send("adhoc")

    jobs.run()

    processed = [span for span in spans.finished() if span.name == "build_report process"]
    assert len(processed) == 2
    assert processed[0].context.trace_id != processed[1].context.trace_id


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_database_and_cache_calls_are_spans_of_the_request_in_full_mode(client, spans):
    # Connections opened before tracing started are not traced (in production none are):
    # start from new ones.
    connection.close()
    if connection.vendor == "postgresql":
        connection.close_pool()

    client.get("/count")

    finished = spans.finished()
    [request_span] = [span for span in finished if span.kind == SpanKind.SERVER]
    children = {span.name.split()[0] for span in finished if span.context.trace_id == request_span.context.trace_id}
    if os.environ.get("DATABASE_URL"):
        assert "SELECT" in children, "psycopg is instrumented"
    if os.environ.get("REDIS_URL"):
        assert "SET" in children, "redis is instrumented"
    assert request_span.name == "GET count"
