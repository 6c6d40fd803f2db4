"""The postings trigger reads ledger transactions by key: its cost per batch does not grow
with the ledger (finance_0008).

A join from the trigger's transition table (no statistics) to ``ledger_transactions`` was
planned as a hash of the whole table for every statement: batch inserts slowed from 11k to
4.8k transactions/s as the ledger grew to 120k transactions. The plans of the statements
the trigger runs are read with auto_explain (nested statements, sent to this client).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from aftersales_devstack.urls import libpq_url

BATCH = 50


async def _book_batch(conn: asyncpg.Connection) -> None:
    cash = await conn.fetchval("SELECT id FROM accounts WHERE code = 'cash'")
    sales = await conn.fetchval("SELECT id FROM accounts WHERE code = 'sales'")
    ids, now = [uuid.uuid4() for _ in range(BATCH)], datetime.now(UTC)
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at,"
            " accounting_date, details) SELECT id, 'plan:' || id, 'plan test', 'CNY', $2, $2, $3, '{}'"
            " FROM unnest($1::uuid[]) AS id",
            ids,
            now,
            now.date(),
        )
        await conn.execute(
            "INSERT INTO postings (transaction_id, account_id, amount_minor, currency)"
            " SELECT t, a, m, 'CNY' FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS x(t, a, m)",
            [i for i in ids for _ in (0, 1)],
            [cash, sales] * BATCH,
            [100, -100] * BATCH,
        )


async def test_the_postings_trigger_never_scans_all_ledger_transactions(finance_db: str) -> None:
    conn = await asyncpg.connect(libpq_url(finance_db))
    plans: list[str] = []
    conn.add_log_listener(lambda _conn, message: plans.append(message.message))
    try:
        await _book_batch(conn)  # the ledger is not empty, whatever ran before
        await conn.execute(
            "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;"
            " SET auto_explain.log_nested_statements = on; SET client_min_messages = log"
        )
        await _book_batch(conn)
    finally:
        await conn.close()
    trigger_plans = [p for p in plans if "FROM inserted" in p]
    assert len(trigger_plans) >= 4, plans  # the trigger's statements were seen ...
    touching = [p for p in trigger_plans if "on ledger_transactions" in p]
    assert touching  # ... including the one that reads ledger transactions,
    for plan in touching:  # ... and it reads them by key, never the whole table.
        assert "Index Scan using pk_ledger_transactions" in plan or "Index Only Scan" in plan, plan
        assert "Seq Scan on ledger_transactions" not in plan, plan
