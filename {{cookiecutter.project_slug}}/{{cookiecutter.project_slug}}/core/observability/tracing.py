"""Distributed traces with OpenTelemetry: off until an OTLP endpoint is configured.

``init_tracing`` (called from ``CoreConfig.ready`` in every process: web
workers, job workers, the scheduler) instruments Django, psycopg and Redis.
``TracePropagation`` is a Dramatiq middleware that carries the trace context
inside each message, so a job's span joins the trace of the request that
enqueued it (no maintained Dramatiq instrumentation exists).
"""

import threading

import dramatiq
from dramatiq.middleware import Middleware
from opentelemetry import context, propagate, trace
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode

# Probes and scrapes would be most of the spans and say nothing.
EXCLUDED_URLS = "/healthz,/readyz,/metrics"
MESSAGE_OPTION = "trace_context"

_provider: TracerProvider | None = None


def tracer() -> trace.Tracer:
    """Our tracer: a no-op one until ``init_tracing`` ran."""
    return trace.get_tracer(__name__, tracer_provider=_provider or trace.NoOpTracerProvider())


def init_tracing(
    *,
    endpoint: str,
    service_name: str,
    environment: str,
    release: str,
    sample_ratio: float,
    exporter: SpanExporter | None = None,
) -> TracerProvider | None:
    """Start exporting spans to ``endpoint`` (OTLP over HTTP); do nothing without one.

    ``exporter`` replaces the OTLP exporter (tests pass an in-memory one).
    """
    global _provider
    if not endpoint and exporter is None:
        return None
    if _provider is not None:
        shutdown_tracing()
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    resource = Resource.create(
        {
            "service.name": service_name,
            "deployment.environment.name": environment,
            "service.version": release or "unknown",
        }
    )
    provider = TracerProvider(resource=resource, sampler=ParentBased(TraceIdRatioBased(sample_ratio)))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    DjangoInstrumentor().instrument(tracer_provider=provider, excluded_urls=EXCLUDED_URLS)
    PsycopgInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
    RedisInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    return provider


def shutdown_tracing() -> None:
    """Flush and stop exporting, and remove the instrumentation (tests; process exit)."""
    global _provider
    if _provider is None:
        return
    for instrumentor in (DjangoInstrumentor(), PsycopgInstrumentor(), RedisInstrumentor()):
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
    _provider.shutdown()
    _provider = None


class TracePropagation(Middleware):
    """Carry the trace context in each message; run each job inside a consumer span."""

    def __init__(self) -> None:
        self._active: dict[str, tuple[trace.Span, object]] = {}
        self._lock = threading.Lock()

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[object], delay: int) -> None:
        if MESSAGE_OPTION in message.options:  # a retry keeps the trace of its first try
            return
        carrier: dict[str, str] = {}
        if _provider is None:
            # Tracing off: the no-op tracer's span would only repeat the current context, so inject
            # that directly (a context set by other instrumentation still travels), at a tenth of the cost.
            propagate.inject(carrier)
        else:
            with tracer().start_as_current_span(
                f"{message.actor_name} send",
                kind=SpanKind.PRODUCER,
                attributes=_attributes(message),
            ):
                propagate.inject(carrier)
        if carrier:
            message.options[MESSAGE_OPTION] = carrier

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.MessageProxy) -> None:
        carrier = message.options.get(MESSAGE_OPTION) or {}
        if _provider is None and not carrier:
            return  # tracing off and no trace to join: the no-op span would change nothing
        parent = propagate.extract(carrier)
        span = tracer().start_span(
            f"{message.actor_name} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes=_attributes(message),
        )
        token = context.attach(trace.set_span_in_context(span, parent))
        with self._lock:
            self._active[message.message_id] = (span, token)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: dramatiq.MessageProxy,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        with self._lock:
            active = self._active.pop(message.message_id, None)
        if active is None:
            return
        span, token = active
        if exception is not None:
            span.record_exception(exception)
            span.set_status(Status(StatusCode.ERROR, type(exception).__name__))
        span.end()
        context.detach(token)  # type: ignore[arg-type]

    after_skip_message = after_process_message


def _attributes(message: dramatiq.Message[object] | dramatiq.MessageProxy) -> dict[str, str]:
    return {
        "messaging.system": "dramatiq",
        "messaging.destination.name": message.queue_name,
        "messaging.message.id": message.message_id,
        "messaging.operation.type": "send" if isinstance(message, dramatiq.Message) else "process",
    }
