"""OpenTelemetry set-up and the helpers that carry trace context through RabbitMQ headers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind

_provider: TracerProvider | None = None


def configure_tracing(
    service: str,
    otlp_endpoint: str | None,
    sampling_ratio: float = 1.0,
    extra_processors: list[SpanProcessor] | None = None,
) -> TracerProvider:
    """Install the tracer provider once per process; export over OTLP/HTTP when configured."""
    global _provider
    if _provider is not None:
        return _provider
    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.namespace": "lapor"}),
        sampler=ParentBased(TraceIdRatioBased(sampling_ratio)),
    )
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/")
        if not endpoint.endswith("/v1/traces"):
            endpoint += "/v1/traces"
        from shared.observability.redaction import RedactingExporter

        provider.add_span_processor(BatchSpanProcessor(RedactingExporter(OTLPSpanExporter(endpoint=endpoint))))
    for processor in extra_processors or []:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    if otlp_endpoint or extra_processors:
        # Database spans: PyMongo's command monitoring covers the async client too; statements
        # are not captured (they would carry reporters' data), only command and collection.
        # Only when something takes spans: building one per command costs ~12 % of a service's
        # CPU (profiled, #21), for nobody when no exporter is configured.
        from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

        PymongoInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    return provider


def shutdown_tracing() -> None:
    if _provider is not None:
        _provider.shutdown()


def tracer() -> trace.Tracer:
    return trace.get_tracer("lapor")


@contextmanager
def producer_span(routing_key: str, parent: Mapping[str, str], attributes: dict[str, Any]) -> Iterator[dict[str, str]]:
    """A PRODUCER span child of the event's own context; yields the headers to publish."""
    ctx = propagate.extract(dict(parent))
    with tracer().start_as_current_span(
        f"{routing_key} publish",
        context=ctx,
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "rabbitmq", "messaging.destination.name": routing_key, **attributes},
    ):
        headers: dict[str, str] = {}
        propagate.inject(headers)
        yield headers


@contextmanager
def consumer_span(routing_key: str, headers: Mapping[str, Any], attributes: dict[str, Any]) -> Iterator[trace.Span]:
    """A CONSUMER span whose parent is the producer span found in the message headers."""
    carrier = {k: v for k, v in headers.items() if isinstance(v, str)}
    ctx = propagate.extract(carrier)
    token = context.attach(ctx)
    try:
        with tracer().start_as_current_span(
            f"{routing_key} process",
            kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "rabbitmq", "messaging.operation": "process", **attributes},
        ) as span:
            yield span
    finally:
        context.detach(token)


def annotate(**attributes: Any) -> None:
    """Put ``lapor.*`` attributes (tracking_id, agency, channel, ...) on the current span and
    bind them to the log context, so traces and log lines can be searched the same way."""
    import structlog

    span = trace.get_current_span()
    for key, value in attributes.items():
        if value is not None:
            span.set_attribute(f"lapor.{key}", value)
    structlog.contextvars.bind_contextvars(**{k: v for k, v in attributes.items() if k == "tracking_id"})
