"""Thin handlers: what finance books and reads from other services' events."""

from __future__ import annotations

from aftersales_events import EventContext, EventPayload, Handler

from .money import MONEY_HANDLERS
from .settlement import SETTLEMENT_HANDLERS


def _chain(*handlers: Handler) -> Handler:
    """One event, several effects, in the consumer's one transaction (in order)."""

    async def handle(ctx: EventContext, event: EventPayload) -> None:
        for handler in handlers:
            await handler(ctx, event)

    return handle


def _merged(*maps: dict[type[EventPayload], Handler]) -> dict[type[EventPayload], Handler]:
    merged: dict[type[EventPayload], list[Handler]] = {}
    for handler_map in maps:
        for event_type, handler in handler_map.items():
            merged.setdefault(event_type, []).append(handler)
    return {t: hs[0] if len(hs) == 1 else _chain(*hs) for t, hs in merged.items()}


# Settlement effects before money ones: booking locks the hot accounts' balance rows until
# the commit, and every other partition's batch waits for them, so the ledger writes go last.
HANDLERS: dict[type[EventPayload], Handler] = _merged(SETTLEMENT_HANDLERS, MONEY_HANDLERS)

__all__ = ["HANDLERS"]
