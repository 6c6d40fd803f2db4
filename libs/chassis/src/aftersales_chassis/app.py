"""Builds a service's FastAPI app: one place for lifespan, middleware, errors and ops routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request

from aftersales_events import ConsumerRunner, EventPayload, Handler, OutboxRelay, dlq_topic_for, topics_of
from aftersales_events.kafka import ensure_topics, make_producer
from aftersales_events.recovery import MARKER_TOPIC, BrokerWatch, check_broker_log

from .auth import TokenVerifier
from .clock import Clock, SystemClock
from .db import Database
from .health import health_router
from .logging import configure_logging
from .metrics import metrics_router
from .middleware import RequestContextMiddleware
from .openapi import install_problem_schema
from .problem_handlers import install_problem_handlers
from .runtime import settle_heap
from .settings import ServiceSettings
from .tracing import configure_tracing, shutdown_tracing

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

log = structlog.get_logger("service.lifecycle")


class Extension(Protocol):
    """A capability a service plugs in (e.g. SLA clocks): its routes and its background work.

    ``start`` runs after the relay and consumers are up; ``stop`` runs first at shutdown.
    """

    def routers(self) -> Sequence[APIRouter]: ...

    async def start(self, app: FastAPI) -> None: ...

    async def stop(self, app: FastAPI) -> None: ...


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    settings_factory: Callable[[], ServiceSettings]
    routers: Sequence[APIRouter]
    handlers: Mapping[type[EventPayload], Handler] = field(default_factory=dict)
    openapi_tags: Sequence[dict[str, Any]] = ()
    extensions: Sequence[Extension] = ()
    version: str = "0.1.0"


def create_app(
    definition: ServiceDefinition,
    *,
    settings: ServiceSettings | None = None,
    clock: Clock | None = None,
    span_exporter: SpanExporter | None = None,
) -> FastAPI:
    """``span_exporter``: where spans also go when the settings turn tracing on (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = settings or definition.settings_factory()
        configure_logging(definition.name, level=config.log_level, json=config.log_json)
        app.state.tracer_provider = tracer_provider = configure_tracing(
            definition.name, config, app, exporter=span_exporter
        )
        app.state.settings = config
        app.state.clock = clock or SystemClock()
        app.state.token_verifier = TokenVerifier(config.jwt_secret.get_secret_value(), config.jwt_issuer)
        app.state.db = db = Database.connect(
            config.database_url,
            pool_size=config.db_pool_size,
            pre_ping=config.db_pool_pre_ping,
            ping_after_idle=config.db_pool_ping_after_idle_ms / 1000,
        )
        app.state.producer = producer = make_producer(
            config.kafka_bootstrap_servers, f"{definition.name}-service", idempotence=config.kafka_idempotence
        )
        await producer.start()
        # An extension may handle events too (the SLA extension applies the shop's calendar).
        handlers = dict(definition.handlers)
        for extension in definition.extensions:
            contributed = getattr(extension, "handlers", None)
            if contributed is not None:
                handlers.update(contributed())
        used = topics_of(definition.name) | {model.topic() for model in handlers}
        topics = used | {dlq_topic_for(t) for t in used}

        async def create_topics() -> None:
            for names, partitions in ((topics, config.topic_partitions), ([MARKER_TOPIC], 1)):
                await ensure_topics(
                    config.kafka_bootstrap_servers,
                    names,
                    partitions=partitions,
                    replication=config.kafka_topic_replication,
                    min_insync_replicas=config.kafka_min_insync_replicas,
                )

        async def broker_log_lost() -> None:
            # While running (ADR 0027): topics as at start, then consumers from the new log's start.
            await create_topics()
            if app.state.consumer is not None:
                await app.state.consumer.rewind()

        await create_topics()
        # Before publishing anything: if the broker lost its log, queue retained rows again.
        await check_broker_log(db.sessionmaker, producer, config.kafka_bootstrap_servers, service=definition.name)
        app.state.consumer = None
        watch = BrokerWatch(
            db.sessionmaker,
            producer,
            config.kafka_bootstrap_servers,
            service=definition.name,
            on_lost=broker_log_lost,
            interval=config.broker_watch_interval,
        )
        app.state.relay = relay = OutboxRelay(
            db.sessionmaker,
            producer,
            service=definition.name,
            batch_size=config.outbox_batch_size,
            gather=config.outbox_relay_gather_ms / 1000,
            watch=watch,
        )
        if config.outbox_relay_enabled:
            relay.start()
        consumer: ConsumerRunner | None = None
        if handlers:
            consumer = ConsumerRunner(
                service=definition.name,
                group_id=config.consumer_group or f"{definition.name}-service",
                bootstrap_servers=config.kafka_bootstrap_servers,
                sessionmaker=db.sessionmaker,
                handlers=handlers,
                dlq_producer=producer,
                max_attempts=config.consumer_max_attempts,
                batch_size=config.consumer_batch_size,
                session_timeout_ms=config.consumer_session_timeout_ms,
                fetch_max_wait_ms=config.consumer_fetch_max_wait_ms,
                resources=app.state,
            )
            await consumer.start()
        app.state.consumer = consumer
        for extension in definition.extensions:
            await extension.start(app)
        if config.gc_freeze_after_startup:
            settle_heap(config.gc_young_threshold)
        log.info("service.started", topics=sorted(topics))
        try:
            yield
        finally:
            # Requests have drained (uvicorn stops accepting first); now stop background
            # work and consuming, flush the outbox, and close the clients.
            for extension in reversed(definition.extensions):
                await extension.stop(app)
            if consumer is not None:
                await consumer.stop()
            await relay.stop()
            await producer.stop()
            await db.dispose()
            shutdown_tracing(tracer_provider)
            log.info("service.stopped")

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
        openapi_tags=[*definition.openapi_tags, {"name": "operations", "description": "Health and metrics."}],
    )
    app.add_middleware(RequestContextMiddleware, service=definition.name)
    install_problem_handlers(app)
    install_problem_schema(app)
    app.include_router(health_router)
    app.include_router(metrics_router)
    for router in [*definition.routers, *(r for e in definition.extensions for r in e.routers())]:
        app.include_router(router)
    return app


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


ClockDep = Annotated[Clock, Depends(get_clock)]
