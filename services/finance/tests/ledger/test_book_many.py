"""LedgerService.book_many, the one path every booking takes (API, events, settlement):
what a mixed batch books, what it returns, and the events it records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import MappingProxyType

import pytest
from sqlalchemy import text

from aftersales_calendar import default_calendar
from aftersales_chassis import ManualClock, RuleViolation
from aftersales_chassis.db import Database
from finance_service.ledger import Entry, LedgerService, Leg

AT = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # 01:30 on the 21st in Shanghai
ZONE = default_calendar().zone  # the service's calendar's (Asia/Shanghai)


def _entry(source: str, amount: int = 100, **details: object) -> Entry:
    return Entry(
        source=source,
        description=f"test {source}",
        currency="CNY",
        effective_at=AT,
        legs=[Leg("cash", amount), Leg("sales", -amount)],
        details=details,
    )


async def test_a_mixed_batch_books_each_new_source_once_in_order_with_one_event_each(database: Database) -> None:
    run = uuid.uuid4().hex[:8]
    earlier, first, second, third = (f"bm-{run}-{n}" for n in ("earlier", "a", "b", "c"))
    clock = ManualClock(datetime(2026, 11, 21, 3, 0, tzinfo=UTC))
    async with database.sessionmaker() as session, session.begin():
        await LedgerService(session, clock, ZONE).book_many([_entry(earlier)])
    batch = [
        _entry(first, 100, note="first wins"),
        _entry(earlier),  # booked before: skipped
        Entry(f"bm-{run}-zero", "nothing moves", "CNY", AT, [Leg("cash", 0), Leg("sales", 0)]),  # no legs: skipped
        _entry(first, 999),  # the same source again in the batch: the first wins
        Entry(
            second, "a read-only mapping", "CNY", AT, [Leg("cash", 250), Leg("sales", -250)], MappingProxyType({"k": 1})
        ),
        Entry(third, "zero legs dropped", "CNY", AT, [Leg("cash", 70), Leg("goodwill_expense", 0), Leg("sales", -70)]),
    ]
    async with database.sessionmaker() as session, session.begin():
        booked = await LedgerService(session, clock, ZONE).book_many(batch)

    assert [b.source for b in booked] == [first, second, third]
    assert {b.accounting_date.isoformat() for b in booked} == {"2026-11-21"}  # the business day, not UTC's
    async with database.sessionmaker() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT t.id, t.source, t.details, array_agg(p.amount_minor ORDER BY p.amount_minor) AS amounts"
                    " FROM ledger_transactions t JOIN postings p ON p.transaction_id = t.id"
                    " WHERE t.source = ANY(:sources) GROUP BY t.id"
                ),
                {"sources": [first, second, third, f"bm-{run}-zero"]},
            )
        ).all()
        events = (
            await session.execute(
                text("SELECT message_key, envelope FROM outbox WHERE message_key = ANY(:keys)"),
                {"keys": [str(b.id) for b in booked]},
            )
        ).all()
    by_source = {row.source: row for row in rows}
    assert set(by_source) == {first, second, third}
    assert by_source[first].amounts == [-100, 100]
    assert by_source[first].details == {"note": "first wins"}
    assert by_source[second].details == {"k": 1}
    assert by_source[third].amounts == [-70, 70]  # the zero leg is not posted
    assert {b.id for b in booked} == {row.id for row in rows}
    posted = {key: envelope["data"] for key, envelope in events}
    assert len(events) == 3  # one LedgerTransactionPosted per new transaction, none for the skipped
    for b in booked:
        data = posted[str(b.id)]
        assert data["transaction_id"] == str(b.id)
        assert data["source"] == b.source
        assert data["total_debit_minor"] == {first: 100, second: 250, third: 70}[b.source]
        assert data["currency"] == "CNY"
        assert data["booked_at"].startswith("2026-11-21T03:00:00")


async def test_a_batch_with_one_account_in_another_currency_books_nothing(database: Database) -> None:
    source = f"bm-{uuid.uuid4().hex[:8]}"
    usd = Entry(source + "-usd", "wrong currency", "USD", AT, [Leg("cash", 100), Leg("sales", -100)])
    with pytest.raises(RuleViolation, match=r"\['cash', 'sales'\] are not in USD"):
        async with database.sessionmaker() as session, session.begin():
            await LedgerService(session, ManualClock(AT), ZONE).book_many([_entry(source), usd])
    async with database.sessionmaker() as session:
        assert (
            await session.scalar(
                text("SELECT count(*) FROM ledger_transactions WHERE source LIKE :s"), {"s": source + "%"}
            )
            == 0
        )
