"""Settings every service shares. Each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aftersales_events.kafka import DEFAULT_FETCH_MAX_WAIT_MS, DEFAULT_SESSION_TIMEOUT_MS

from .runtime import YOUNG_THRESHOLD


def asyncpg_url(url: str) -> str:
    """Accepts ``postgresql://`` / ``postgres://`` URLs and returns the asyncpg dialect form."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("database_url must be a PostgreSQL URL (postgresql://...)")


class ServiceSettings(BaseSettings):
    """Subclass per service with ``model_config = SettingsConfigDict(env_prefix="RETURNS_")``."""

    model_config = SettingsConfigDict(env_prefix="AFTERSALES_", extra="ignore")

    environment: Literal["dev", "test", "production"] = Field(
        default="production",
        description="Where the service runs. Test doubles (returns' fake payment gateway) are refused in "
        "production, the default, so a deployment that forgets to say is safe; `make run` sets dev and the "
        "test fixtures set test.",
    )
    database_url: str = Field(description="PostgreSQL URL of this service's own database.")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_idempotence: bool = Field(
        default=False,
        description="The idempotent producer (acks=all either way). On against a real Kafka; the embedded "
        "Tansu broker has no idempotent producer, so it is off by default (ADR 0018).",
    )
    kafka_topic_replication: int = Field(
        default=1, ge=1, description="Replication factor of the topics a service creates (3 on a real cluster)."
    )
    kafka_min_insync_replicas: int | None = Field(
        default=None,
        ge=1,
        description="min.insync.replicas of the topics a service creates (2 on a real cluster); unset: the "
        "broker's default (Tansu takes no topic configs).",
    )
    jwt_secret: SecretStr = Field(description="HMAC key that signs bearer tokens (HS256).")
    jwt_issuer: str = "aftersales"
    topic_partitions: int = Field(default=3, ge=1)
    db_pool_size: int = Field(default=10, ge=1)
    db_pool_pre_ping: bool = Field(
        default=True,
        description="Test a pooled connection before use when it sat idle (`DB_POOL_PING_AFTER_IDLE_MS`); off "
        "only where no proxy or failover drops idle connections unseen.",
    )
    db_pool_ping_after_idle_ms: int = Field(
        default=500,
        ge=0,
        description="A connection back in the pool for less than this is used without a ping (HikariCP's "
        "aliveBypassWindowMs); 0 pings on every checkout (ADR 0030).",
    )
    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_relay_gather_ms: int = Field(
        default=5,
        ge=0,
        description="How long a relay woken by a commit waits for further commits before it claims, so that "
        "their rows go out as one batch per partition. The devstack sets 50: the embedded Tansu's fetch costs in "
        "proportion to the batches a partition holds (ADR 0030).",
    )
    outbox_relay_enabled: bool = Field(
        default=True, description="Off on API-only replicas when dedicated replicas run the relay."
    )
    broker_watch_interval: float = Field(
        default=2.0,
        gt=0,
        description="Seconds between the relay's checks that the broker still holds its log (ADR 0027).",
    )
    consumer_max_attempts: int = Field(default=5, ge=1)
    gc_freeze_after_startup: bool = Field(
        default=True,
        description="Move everything alive after startup out of the collector's reach (see runtime.py).",
    )
    gc_young_threshold: int = Field(
        default=YOUNG_THRESHOLD,
        ge=0,
        description="Allocations between two collections of the youngest generation, set after startup "
        "with the freeze (see runtime.py); 0 keeps CPython's 700.",
    )
    consumer_batch_size: int = Field(
        default=200, ge=1, description="Messages of one partition applied in one transaction (1: one at a time)."
    )
    consumer_session_timeout_ms: int = Field(
        default=DEFAULT_SESSION_TIMEOUT_MS,
        ge=300,
        description="Milliseconds without a heartbeat after which the consumer leaves its group (heartbeats go "
        "at a third of it). The devstack sets 3000 for the embedded Tansu, which answers a group join only after "
        "half of it.",
    )
    consumer_fetch_max_wait_ms: int = Field(
        default=DEFAULT_FETCH_MAX_WAIT_MS,
        ge=1,
        description="Milliseconds the broker may hold a fetch that found nothing new. Kafka answers as soon as a "
        "record arrives; the embedded Tansu holds the fetch to its end, so the devstack sets 50 (ADR 0029).",
    )
    consumer_group: str | None = Field(
        default=None,
        description="Kafka consumer group; default `<service>-service`. Two deployments reading the same "
        "broker with their own databases (e.g. test apps) need their own groups.",
    )
    sla_scheduler_enabled: bool = Field(default=True, description="Tests turn it off and tick by hand.")
    sla_tick_seconds: float = Field(default=0.5, gt=0, description="A due clock fires within this (plus a tick).")
    sla_gauge_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Seconds between refreshes of the SLA gauges (open, at-risk, overdue clocks and the 30-day "
        "on-time ratio per step): one grouped query over the open clocks each time.",
    )
    storage_url: str = Field(
        default="file:.data/attachments",
        description="Where attachments and evidence are stored (services that keep them): `file:<dir>` (a "
        "directory, one sub-directory per service), `s3://bucket/prefix` (any S3-compatible server; "
        "credentials and endpoint from the AWS_* variables) or `memory:///`.",
    )
    tracing_enabled: bool = Field(
        default=False,
        description="OpenTelemetry traces: the server, httpx, asyncpg and aiokafka instrumented, the trace "
        "context carried in each event's envelope (ADR 0018). Off: nothing is instrumented.",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP endpoint spans are exported to (e.g. http://otel-collector:4318); unset with "
        "tracing on: spans are made (ids in the logs, context in events) but not exported.",
    )
    trace_file: str | None = Field(
        default=None,
        description="With tracing on, also append each finished span to this file as a JSON line "
        "(the SDK's console exporter): the cross-service trace test reads it.",
    )
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return asyncpg_url(value)
