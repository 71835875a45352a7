"""Observability: structured logs, Prometheus metrics, OpenTelemetry traces, Sentry, health probes."""
