"""Traces (ADR 0018): one trace from an HTTP request through the outbox, the relay and the
broker to the consumer's span, in a service that runs for real (its lifespan, PostgreSQL,
the broker); log lines carry the trace and span ids; with tracing off (the default) events
carry no trace context and nothing is instrumented."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from aftersales_chassis import Role, ServiceSettings
from aftersales_chassis.testing import Tokens, eventually, kept_logging
from aftersales_events import EventContext, tracing
from aftersales_events.envelope import EventEnvelope, encode_events

from .kit import build_app, widget_created_type


def _settings(url: str, bootstrap: str, secret: str, **extra: Any) -> ServiceSettings:
    return ServiceSettings(database_url=url, kafka_bootstrap_servers=bootstrap, jwt_secret=secret, **extra)


async def test_one_trace_runs_from_the_request_to_the_consumer(
    chassis_db_url: str, kafka_bootstrap: str, jwt_secret: str, capfd: pytest.CaptureFixture[str]
) -> None:
    service = f"traced{uuid.uuid4().hex[:8]}"
    settings = _settings(chassis_db_url, kafka_bootstrap, jwt_secret, tracing_enabled=True, consumer_group=service)
    handled: list[EventEnvelope] = []

    async def on_created(ctx: EventContext, _: Any) -> None:
        handled.append(ctx.envelope)

    exporter = InMemorySpanExporter()
    app = build_app(service, settings, handlers={widget_created_type(service): on_created}, span_exporter=exporter)
    with kept_logging():
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
        ):
            created = await client.post(
                "/widgets", json={"name": f"w-{service}", "quantity": 1}, headers=Tokens(jwt_secret).headers(Role.agent)
            )
            assert created.status_code == 201, created.text
            await eventually(lambda: handled, message="the consumer applying the widget's event")
    spans = exporter.get_finished_spans()
    [server] = [s for s in spans if s.kind == SpanKind.SERVER and "/widgets" in s.name]
    [consumer] = [s for s in spans if s.kind == SpanKind.CONSUMER and s.name.startswith("process ")]
    trace_id = server.context.trace_id
    assert consumer.context.trace_id == trace_id  # one trace, across the outbox and the broker
    traceparent = handled[0].traceparent
    assert traceparent is not None
    assert traceparent.split("-")[1] == format(trace_id, "032x")
    assert consumer.parent is not None
    assert format(consumer.parent.span_id, "016x") == traceparent.split("-")[2]
    in_trace = {s.context.span_id for s in spans if s.context.trace_id == trace_id}
    assert consumer.parent.span_id in in_trace  # its parent is a span of the request
    assert any(
        s.attributes and s.attributes.get("db.system") == "postgresql" for s in spans if s.context.trace_id == trace_id
    )
    # the access log line of the request carries the trace id beside the correlation id
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line.get("event") == "http.request" and line.get("route") == "/widgets"]
    assert access["trace_id"] == format(trace_id, "032x")
    assert len(access["span_id"]) == 16
    assert access["correlation_id"]
    assert tracing.hooks() is None  # stopped with the service


def test_without_tracing_events_carry_no_trace_context() -> None:
    assert tracing.hooks() is None
    widget = widget_created_type("untraced")
    [encoded] = encode_events([(widget(widget_id=1, name="w"), "w")], time=datetime.now(UTC))
    assert "traceparent" not in json.loads(encoded.envelope_json)
    assert EventEnvelope.model_validate_json(encoded.envelope_json).traceparent is None
