"""The claim is one statement that walks the queue's partial index in ORDER BY order: no sort
of the open tasks, and no other statement between BEGIN and COMMIT."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, text

from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database
from callcenter_service.callbacks.repository import CLAIM, CallbackRepository


async def test_the_claim_reads_the_queue_index_in_order_without_sorting(database: Database, clock: ManualClock) -> None:
    now = clock.now()
    async with database.engine.connect() as conn:
        await conn.execute(text("SET LOCAL enable_seqscan = off"))  # few rows here: as with 100k
        driver_sql = CLAIM.replace("$1", "'ann'").replace("$2", f"'{now.isoformat()}'::timestamptz")
        driver_sql = driver_sql.replace("$3", f"'{(now + timedelta(minutes=10)).isoformat()}'::timestamptz")
        driver_sql = driver_sql.replace("$4", "NULL::uuid")
        plan = "\n".join(row[0] for row in await conn.execute(text("EXPLAIN " + driver_sql.replace(":", r"\:"))))
        await conn.rollback()
    assert "ix_callback_tasks_queue" in plan, plan
    assert "Sort" not in plan, plan
    assert "LockRows" in plan, plan  # FOR UPDATE SKIP LOCKED on the candidate


async def test_a_claim_sends_one_statement(database: Database, clock: ManualClock) -> None:
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with database.sessionmaker() as session, session.begin():
            await CallbackRepository(session).claim_next("ann", clock.now(), timedelta(minutes=10), None)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    assert sent == [CLAIM]
