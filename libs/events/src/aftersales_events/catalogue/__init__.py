"""The one catalogue of event payloads. Importing this package registers every type."""

from . import calendar, callcenter, finance, orders, parcels, returns, reviews, sla, tickets
from .base import CATALOGUE, EventPayload, dlq_topic_for, event, topic_for, topics_of

__all__ = [
    "CATALOGUE",
    "EventPayload",
    "dlq_topic_for",
    "event",
    "finance",
    "orders",
    "parcels",
    "returns",
    "sla",
    "topic_for",
    "topics_of",
]
__all__ += ["calendar", "callcenter", "reviews", "tickets"]
