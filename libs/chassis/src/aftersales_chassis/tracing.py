"""OpenTelemetry traces for a service, on when its ``tracing_enabled`` setting is (ADR 0018).

On: the FastAPI server, httpx, asyncpg and aiokafka are instrumented with the maintained
``opentelemetry-instrumentation-*`` packages; the W3C trace context of the span in force is
written into each event's envelope (``traceparent``) and each consumed event is applied in a
span whose parent is that context, so one trace runs from an HTTP request in one service,
through its outbox, relay and the broker, to the handler in another; log lines carry the
``trace_id`` and ``span_id`` beside the correlation id. Spans go to ``otlp_endpoint`` (OTLP over
HTTP) when set. Off (the default): nothing here is imported or installed, and the hot paths
do one check of a module global per batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

from aftersales_events import tracing as event_tracing

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

    from .settings import ServiceSettings

_provider: TracerProvider | None = None


class EnvelopeTraceHooks:
    """What aftersales_events calls, written with OpenTelemetry's API."""

    def __init__(self, provider: TracerProvider) -> None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self._tracer = provider.get_tracer("aftersales.events")
        self._propagator = TraceContextTextMapPropagator()

    def current_traceparent(self) -> str | None:
        carrier: dict[str, str] = {}
        self._propagator.inject(carrier)
        return carrier.get("traceparent")

    def consuming(self, traceparent: str | None, event_type: str, topic: str) -> AbstractContextManager[object]:
        return self._consuming(traceparent, event_type, topic)

    @contextmanager
    def _consuming(self, traceparent: str | None, event_type: str, topic: str) -> Iterator[object]:
        from opentelemetry.trace import SpanKind

        parent = self._propagator.extract({"traceparent": traceparent}) if traceparent else None
        attributes = {
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "cloudevents.event_type": event_type,
        }
        with self._tracer.start_as_current_span(
            f"process {event_type}", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
        ) as span:
            yield span

    def flushing(self, traceparents: Sequence[str | None]) -> AbstractContextManager[object]:
        return self._flushing(traceparents)

    @contextmanager
    def _flushing(self, traceparents: Sequence[str | None]) -> Iterator[object]:
        from opentelemetry.trace import Link, get_current_span

        contexts = [self._propagator.extract({"traceparent": tp}) for tp in traceparents if tp]
        parent = contexts[0] if contexts else None
        links = [Link(get_current_span(c).get_span_context()) for c in contexts[1:]]
        with self._tracer.start_as_current_span(
            "flush deferred writes",
            context=parent,
            links=links,
            attributes={"messaging.batch.message_count": len(traceparents)},
        ) as span:
            yield span


def configure_tracing(
    service: str, settings: ServiceSettings, app: FastAPI, *, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """Turns tracing on for this process when the settings say so; returns the provider.

    ``exporter`` (tests: an in-memory one) is used beside the OTLP one. The instrumentations
    patch classes process-wide, so the first app to switch tracing on in a process sets them up.
    """
    global _provider
    if not settings.tracing_enabled:
        return None
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"aftersales-{service}"}))
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if settings.trace_file:
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        out = open(settings.trace_file, "a")  # noqa: SIM115 - open for the process's life
        to_line = ConsoleSpanExporter(out=out, formatter=lambda span: span.to_json(indent=None) + "\n")
        provider.add_span_processor(SimpleSpanProcessor(to_line))
    if _provider is None:
        _instrument_clients(provider)
        _provider = provider
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/healthz,/readyz,/metrics")
    # The server built its middleware stack when it sent the lifespan; build it again, traced.
    app.middleware_stack = app.build_middleware_stack()
    event_tracing.install(EnvelopeTraceHooks(provider))
    return provider


def _instrument_clients(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    AIOKafkaInstrumentor().instrument(tracer_provider=provider)


def _uninstrument_clients() -> None:
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().uninstrument()
    AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
    AIOKafkaInstrumentor().uninstrument()


def shutdown_tracing(provider: TracerProvider | None) -> None:
    """Flushes what is batched, stops the event hooks and, if this app instrumented the
    clients, takes the instrumentation off again (the service is stopping)."""
    global _provider
    if provider is None:
        return
    event_tracing.install(None)
    provider.force_flush()
    if provider is _provider:
        _uninstrument_clients()
        _provider = None
