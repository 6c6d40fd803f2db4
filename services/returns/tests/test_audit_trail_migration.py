"""returns_0010 moves the two transition tables of a database that has them into the one
audit trail, in order, and its downgrade puts them back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis.migrate import alembic_config
from aftersales_chassis.settings import asyncpg_url

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def _run(url: str, *statements: tuple[str, dict[str, object]]) -> list[list[tuple[object, ...]]]:
    engine = create_async_engine(asyncpg_url(url))
    results = []
    try:
        async with engine.begin() as conn:
            for sql, params in statements:
                result = await conn.execute(text(sql), params)
                results.append([tuple(row) for row in result] if result.returns_rows else [])
    finally:
        await engine.dispose()
    return results


async def test_existing_transitions_move_into_the_one_trail_and_back(
    service_database_url: Callable[..., str],
) -> None:
    url = service_database_url("returns", suffix="trail", migrated=False)
    config = alembic_config("returns", url)
    await asyncio.to_thread(command.upgrade, config, "returns_0009")
    return_id, request_id = uuid.uuid4(), uuid.uuid4()
    insert_transition = (
        "INSERT INTO {table} ({column}, action, step, from_state, to_state, actor, reason, at)"
        " VALUES (:id, :action, :step, :from_state, :to_state, 'ann', :reason, :at)"
    )
    await _run(
        url,
        ("INSERT INTO returns (id, order_id, state, reason, currency, requested_refund_minor, freight_minor,"
         " freight_payer, created_by, created_at, updated_at, goodwill_minor, refund_freight_minor)"
         " VALUES (:id, 'O-1', 'approved', 'broken', 'CNY', 100, 0, 'shop', 'ann', :at, :at, 0, 0)",
         {"id": return_id, "at": AT}),
        ("INSERT INTO refund_requests (id, order_id, state, reason, channel, created_by, created_at, updated_at)"
         " VALUES (:id, 'O-1', 'filed', 'broken', 'chat', 'ann', :at, :at)", {"id": request_id, "at": AT}),
        (insert_transition.format(table="return_transitions", column="return_id"),
         {"id": return_id, "action": "open", "step": "T1A2", "from_state": None, "to_state": "requested",
          "reason": "broken", "at": AT}),
        (insert_transition.format(table="return_transitions", column="return_id"),
         {"id": return_id, "action": "approve", "step": "T1A3", "from_state": "requested", "to_state": "approved",
          "reason": None, "at": AT + timedelta(hours=1)}),
        (insert_transition.format(table="refund_request_transitions", column="request_id"),
         {"id": request_id, "action": "open", "step": "T1", "from_state": None, "to_state": "open",
          "reason": "broken", "at": AT}),
    )  # fmt: skip

    await asyncio.to_thread(command.upgrade, config, "heads")
    trail = "SELECT aggregate_type, aggregate_id, action, step, from_state, to_state, reason FROM workflow_transitions"
    [moved, tables] = await _run(
        url,
        (trail + " ORDER BY id", {}),
        ("SELECT count(*) FROM pg_tables WHERE tablename IN ('return_transitions', 'refund_request_transitions')", {}),
    )
    assert moved == [
        ("return", str(return_id), "open", "T1A2", None, "requested", "broken"),
        ("return", str(return_id), "approve", "T1A3", "requested", "approved", None),
        ("refund_request", str(request_id), "open", "T1", None, "open", "broken"),
    ]
    assert tables == [(0,)]

    await asyncio.to_thread(command.downgrade, config, "returns_0009")
    [back, left] = await _run(
        url,
        ("SELECT return_id, action, step FROM return_transitions ORDER BY id", {}),
        ("SELECT count(*) FROM workflow_transitions", {}),
    )
    assert back == [(return_id, "open", "T1A2"), (return_id, "approve", "T1A3")]
    assert left == [(0,)]
