"""Thin event handlers of the tickets service: event type → a handler calling a feature's service."""

from aftersales_events import EventPayload, Handler

HANDLERS: dict[type[EventPayload], Handler] = {}
