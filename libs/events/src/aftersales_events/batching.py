"""Writes that handlers defer to the end of the consumer's transaction, so that a batch of
events costs one statement per kind of write instead of one per event.

A handler calls ``await ctx.write(writer, item)``. Applied alone (a test, a tool, a
batch of one) the writer writes the item at once; inside a batch the runner collects the
items of every handler call and, after the last handler and before the commit, hands each
writer all of its items in arrival order. Either way the writes commit or roll back with
the batch's ``processed_events`` rows, so the at-least-once / effectively-once rule holds.

Only writes may be deferred: a handler that reads what an earlier event of the same batch
wrote must write directly through ``ctx.session``. The flush runs after the last handler,
outside every event's correlation scope: a writer that records events takes each item's
cause with the item (``ctx.cause``) and passes it to ``record_events(causes=...)``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

ItemT = TypeVar("ItemT")
ItemT_contra = TypeVar("ItemT_contra", contravariant=True)


class BatchWriter(Hashable, Protocol[ItemT_contra]):
    """Writes many items in as few statements as it can. Equal writers share one batch
    (make them frozen dataclasses, or module-level instances)."""

    async def write(self, session: AsyncSession, items: Sequence[ItemT_contra]) -> None: ...


class DeferredWrites:
    """The items handlers deferred in one transaction, per writer, in first-use order."""

    def __init__(self) -> None:
        self._pending: dict[BatchWriter[Any], list[Any]] = {}

    def add(self, writer: BatchWriter[ItemT], item: ItemT) -> None:
        self._pending.setdefault(writer, []).append(item)

    def __len__(self) -> int:
        return sum(len(items) for items in self._pending.values())

    async def flush(self, session: AsyncSession) -> None:
        pending, self._pending = self._pending, {}
        for writer, items in pending.items():
            await writer.write(session, items)
