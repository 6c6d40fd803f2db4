"""The event contract and machinery: envelope, catalogue, outbox, relay, consumer runner."""

from .batching import BatchWriter, DeferredWrites
from .catalogue import CATALOGUE, EventPayload, dlq_topic_for, event, topic_for, topics_of
from .consumer import ConsumerRunner
from .context import Cause, correlation_scope, current_correlation_id
from .envelope import EventEnvelope
from .handling import EventContext, Handler, PermanentError, UnknownEventVersion
from .outbox import record_event, record_events
from .relay import OutboxRelay
from .tables import NAMING_CONVENTION, events_metadata, outbox, processed_events

__all__ = [
    "CATALOGUE",
    "NAMING_CONVENTION",
    "BatchWriter",
    "Cause",
    "ConsumerRunner",
    "DeferredWrites",
    "EventContext",
    "EventEnvelope",
    "EventPayload",
    "Handler",
    "OutboxRelay",
    "PermanentError",
    "UnknownEventVersion",
    "correlation_scope",
    "current_correlation_id",
    "dlq_topic_for",
    "event",
    "events_metadata",
    "outbox",
    "processed_events",
    "record_event",
    "record_events",
    "topic_for",
    "topics_of",
]
