"""Nothing secret or personal leaves a process in a span.

Every span passes through ``RedactingExporter`` on its way to the collector, whatever made it
(our own spans, FastAPI's, httpx's, PyMongo's): query strings keep their names but lose their
values (the SMS callback's key, the sender's number and text, delivery-report tokens), secret
headers lose their value, and any e-mail address or phone number left in a value is masked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from shared.privacy import scrub

REDACTED = "[redacted]"
SECRET_HEADER = re.compile(r"(authorization|cookie|api[-_]?key|token|secret|password|signature)", re.I)
QUERY_KEYS = {"url.query", "http.query"}


def redact_query(query: str) -> str:
    """``key=s3cret&from=0812…`` → ``key=[redacted]&from=[redacted]``: names stay, values go."""
    return "&".join(f"{part.split('=', 1)[0]}={REDACTED}" if "=" in part else part
                    for part in query.split("&") if part)


def redact_value(key: str, value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(redact_value(key, v) for v in value)
    if not isinstance(value, str):
        return value
    if ".header." in key and SECRET_HEADER.search(key):
        return REDACTED
    if key in QUERY_KEYS:
        return redact_query(value)
    if "?" in value and ("url" in key or "target" in key or value.startswith(("/", "http"))):
        head, _, query = value.partition("?")
        value = f"{head}?{redact_query(query)}"
    return scrub(value)


def redact_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: redact_value(k, v) for k, v in (attributes or {}).items()}


def redact_span(span: ReadableSpan) -> ReadableSpan:
    events = [Event(e.name, redact_attributes(e.attributes), e.timestamp) for e in span.events]
    return ReadableSpan(name=scrub(span.name), context=span.context, parent=span.parent, resource=span.resource,
                        attributes=redact_attributes(span.attributes), events=events, links=span.links,
                        kind=span.kind, status=span.status, start_time=span.start_time, end_time=span.end_time,
                        instrumentation_scope=span.instrumentation_scope)


class RedactingExporter(SpanExporter):
    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([redact_span(s) for s in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)
