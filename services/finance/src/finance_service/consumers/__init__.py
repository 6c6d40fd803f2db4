"""Thin handlers: what finance books and reads from other services' events."""

from __future__ import annotations

from aftersales_events import EventPayload, Handler

from .money import MONEY_HANDLERS

HANDLERS: dict[type[EventPayload], Handler] = {**MONEY_HANDLERS}

__all__ = ["HANDLERS"]
