"""The claim is one statement that walks the queue's partial index in ORDER BY order: no sort
of the open tasks, and nothing else on the wire: no BEGIN, no COMMIT (ADR 0025)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text

from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database, close_driver_pool, driver_pool
from callcenter_service.callbacks.repository import CLAIM, CLAIM_UNDER_OVERRIDE, CallbackRepository


def _literal(statement: str, now: datetime) -> str:
    """The statement with its parameters written in, for EXPLAIN (no prepared statement)."""
    sql = statement.replace("$1", "'ann'").replace("$2", f"'{now.isoformat()}'::timestamptz")
    return sql.replace("$3", f"'{(now + timedelta(minutes=10)).isoformat()}'::timestamptz").replace(":", r"\:")


async def _plan(database: Database, statement: str, now: datetime) -> str:
    async with database.engine.connect() as conn:
        await conn.execute(text("SET LOCAL enable_seqscan = off"))  # few rows here: as with 100k
        plan = "\n".join(row[0] for row in await conn.execute(text("EXPLAIN " + _literal(statement, now))))
        await conn.rollback()
    return plan


async def test_the_claim_reads_the_queue_index_in_order_without_sorting(database: Database, clock: ManualClock) -> None:
    plan = await _plan(database, CLAIM, clock.now())
    assert "ix_callback_tasks_queue" in plan, plan
    assert "Sort" not in plan, plan
    assert "LockRows" in plan, plan  # FOR UPDATE SKIP LOCKED on the candidate


async def test_the_claim_under_an_override_reads_the_same_index(database: Database, clock: ManualClock) -> None:
    plan = await _plan(database, CLAIM_UNDER_OVERRIDE, clock.now())
    assert "ix_callback_tasks_queue" in plan, plan
    assert "Sort\n" not in plan.replace("Sort Key", ""), plan  # the override's own LIMIT 1 may sort; the queue not
    assert plan.count("LockRows") == 1, plan


async def _sent_by_a_claim(database: Database, at: datetime) -> list[str]:
    """Every statement on the wire while a claim runs as the route runs it: a session, the
    use case's one call, the commit (on every connection either pool hands out meanwhile: the
    engine's, and its driver pool, made afresh here so that its connections log too)."""
    sent: list[str] = []
    logged: list[Any] = []

    def record(query: Any) -> None:
        sent.append(query.query)

    def checkout(_dbapi: object, _record: object, proxy: Any) -> None:
        proxy.driver_connection.add_query_logger(record)
        logged.append(proxy.driver_connection)

    async def init(driver: Any) -> None:
        driver.add_query_logger(record)

    await close_driver_pool(database.engine)
    await driver_pool(database.engine, init=init)
    event.listen(database.engine.sync_engine, "checkout", checkout)
    try:
        async with database.sessionmaker() as session:
            await CallbackRepository(session).claim_next("ann", at, timedelta(minutes=10))
            await session.commit()
    finally:
        event.remove(database.engine.sync_engine, "checkout", checkout)
        for driver in logged:
            driver.remove_query_logger(record)
        await close_driver_pool(database.engine)  # the next claim makes one without the logger
    return sent


async def test_a_claim_sends_one_statement_and_no_begin_or_commit(database: Database, clock: ManualClock) -> None:
    assert await _sent_by_a_claim(database, clock.now()) == [CLAIM]


async def test_a_claim_alone_is_its_own_transaction_and_joins_one_already_begun(
    database: Database, clock: ManualClock
) -> None:
    now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    async with database.sessionmaker() as session:
        await session.execute(text("UPDATE callback_tasks SET state = 'withdrawn' WHERE state = 'open'"))
        await session.execute(
            text(
                "INSERT INTO callback_tasks (id, kind, priority_class, priority, source, source_step, state, phone,"
                " customer_name, note, requested_at, not_before, due_at, due_rule, attempts, unanswered, created_at,"
                " updated_at) VALUES (gen_random_uuid(), 'outreach', 'low', 40, 'plan-test:' || gen_random_uuid(),"
                " '§7.2', 'open', '13900000000', '', '', :now, :now, :now, 'test', 0, 0, :now, :now)"
            ),
            {"now": now - timedelta(hours=1)},
        )
        await session.commit()
    async with database.sessionmaker() as session:  # a statement first: the claim is inside its transaction
        await session.execute(text("SELECT 1"))
        assert await CallbackRepository(session).claim_next("ann", now, timedelta(minutes=10)) is not None
        await session.rollback()
    async with database.sessionmaker() as session:  # so it was undone with it; alone, it stands on its own
        claimed = await CallbackRepository(session).claim_next("bob", now, timedelta(minutes=10))
        assert claimed is not None
        await session.rollback()  # nothing begun: nothing to undo
    async with database.sessionmaker() as session:
        holder = await session.scalar(
            text("SELECT lease_holder FROM callback_tasks WHERE id = :id"), {"id": claimed["id"]}
        )
    assert holder == "bob"
