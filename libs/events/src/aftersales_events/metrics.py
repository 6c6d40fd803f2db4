"""Prometheus metrics of the event machinery, labelled by service."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_PUBLISHED = Counter("events_published_total", "Outbox rows published to the broker.", ["service", "topic"])
EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Messages handled by a consumer, by outcome (applied, duplicate, ignored).",
    ["service", "topic", "outcome"],
)
EVENTS_FAILED = Counter("events_handler_failures_total", "Handler attempts that raised.", ["service", "topic"])
EVENTS_DLQ = Counter("events_dead_lettered_total", "Messages sent to a DLQ.", ["service", "topic"])
OUTBOX_LAG = Gauge(
    "outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox row not yet published (0 when empty).",
    ["service"],
)
OUTBOX_BACKLOG = Gauge("outbox_unpublished_rows", "Outbox rows not yet published.", ["service"])
CONSUMER_LAG = Gauge("consumer_lag_messages", "High watermark minus position.", ["service", "topic", "partition"])
BROKER_LOG_LOST = Counter(
    "events_broker_log_lost_total", "Times a relay found its marker gone and republished.", ["service"]
)
