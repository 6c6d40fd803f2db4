"""The ledger's rules hold in the database itself, whatever code path writes."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Conflict
from aftersales_chassis.db import Database
from finance_service.ledger.booking import DATABASE_RULES

NEW_TX = text(
    "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at) "
    "VALUES (:id, :source, 'test', :currency, now(), now())"
)
POST = text(
    "INSERT INTO postings (transaction_id, account_id, amount_minor, currency) "
    "SELECT :tx, id, :amount, :currency FROM accounts WHERE code = :code"
)


async def _book(db: Database, legs: list[tuple[str, int]], currency: str = "CNY") -> uuid.UUID:
    tx = uuid.uuid4()
    async with db.sessionmaker() as session, session.begin():
        await session.execute(NEW_TX, {"id": tx, "source": f"test:{tx}", "currency": currency})
        for code, amount in legs:
            await session.execute(POST, {"tx": tx, "amount": amount, "currency": currency, "code": code})
    return tx


async def _balances(db: Database) -> dict[str, int]:
    async with db.sessionmaker() as session:
        rows = await session.execute(text("SELECT code, balance_minor FROM accounts"))
        return {code: balance for code, balance in rows}


async def test_balanced_transaction_commits_and_moves_balances(database: Database) -> None:
    before = await _balances(database)
    await _book(database, [("sales_returns", 500), ("customer_refunds_payable", -500)])
    after = await _balances(database)
    assert after["sales_returns"] - before["sales_returns"] == 500
    assert after["customer_refunds_payable"] - before["customer_refunds_payable"] == -500


@pytest.mark.parametrize(
    "legs",
    [
        [("sales_returns", 500), ("customer_refunds_payable", -499)],
        [("sales_returns", 500)],
    ],
)
async def test_unbalanced_or_single_leg_transaction_is_refused_at_commit(
    database: Database, legs: list[tuple[str, int]]
) -> None:
    before = await _balances(database)
    with pytest.raises(DBAPIError, match="unbalanced"):
        await _book(database, legs)
    assert await _balances(database) == before


async def test_currency_must_match_the_account(database: Database) -> None:
    with pytest.raises(DBAPIError, match="currency"):
        await _book(database, [("sales_returns", 500), ("customer_refunds_payable", -500)], currency="USD")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE postings SET amount_minor = amount_minor * 2 WHERE transaction_id = :tx",
        "DELETE FROM postings WHERE transaction_id = :tx",
        "UPDATE ledger_transactions SET description = 'edited' WHERE id = :tx",
        "DELETE FROM ledger_transactions WHERE id = :tx",
    ],
)
async def test_booked_entries_are_immutable(database: Database, statement: str) -> None:
    tx = await _book(database, [("freight_refunds", 100), ("customer_refunds_payable", -100)])
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.sessionmaker() as session, session.begin():
            await session.execute(text(statement), {"tx": tx})


async def test_maintained_balances_equal_the_sum_of_postings(database: Database) -> None:
    await _book(database, [("sales_returns", 700), ("freight_refunds", 300), ("customer_refunds_payable", -1000)])
    async with database.sessionmaker() as session:
        drift = await session.scalar(
            text(
                "SELECT count(*) FROM accounts a LEFT JOIN ("
                " SELECT account_id, sum(amount_minor) AS total FROM postings GROUP BY account_id) p"
                " ON p.account_id = a.id WHERE a.balance_minor <> coalesce(p.total, 0)"
            )
        )
        total = await session.scalar(text("SELECT coalesce(sum(balance_minor), 0) FROM accounts"))
    assert drift == 0
    assert total == 0


async def test_a_transaction_without_postings_is_refused_at_commit(database: Database) -> None:
    tx = uuid.uuid4()
    with pytest.raises(DBAPIError, match="unbalanced"):
        async with database.sessionmaker() as session, session.begin():
            await session.execute(NEW_TX, {"id": tx, "source": f"test:{tx}", "currency": "CNY"})


async def test_a_posting_must_refer_to_an_existing_transaction_and_account(database: Database) -> None:
    orphan = text(
        "INSERT INTO postings (transaction_id, account_id, amount_minor, currency) "
        "SELECT :tx, id, 100, 'CNY' FROM accounts WHERE code = 'cash'"
    )
    with pytest.raises(DBAPIError, match="does not exist"):
        async with database.sessionmaker() as session, session.begin():
            await session.execute(orphan, {"tx": uuid.uuid4()})
    with pytest.raises(DBAPIError, match="does not exist"):
        await _post_to_a_missing_account(database)


async def _post_to_a_missing_account(db: Database) -> None:
    tx = uuid.uuid4()
    no_account = text(
        "INSERT INTO postings (transaction_id, account_id, amount_minor, currency) VALUES (:tx, :account, 100, 'CNY')"
    )
    async with db.sessionmaker() as session, session.begin():
        await session.execute(NEW_TX, {"id": tx, "source": f"test:{tx}", "currency": "CNY"})
        await session.execute(no_account, {"tx": tx, "account": uuid.uuid4()})


async def test_an_account_with_postings_is_never_deleted_but_an_unused_one_may_be(database: Database) -> None:
    await _book(database, [("freight_refunds", 100), ("customer_refunds_payable", -100)])
    with pytest.raises(DBAPIError, match="has postings"):
        async with database.sessionmaker() as session, session.begin():
            await session.execute(text("DELETE FROM accounts WHERE code = 'freight_refunds'"))
    code = f"unused_{uuid.uuid4().hex[:8]}"
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            text("INSERT INTO accounts (id, code, name, type, currency, created_at) "
                 "VALUES (:id, :code, 'unused', 'asset', 'CNY', now())"),
            {"id": uuid.uuid4(), "code": code},
        )  # fmt: skip
    async with database.sessionmaker() as session, session.begin():
        deleted = await session.execute(text("DELETE FROM accounts WHERE code = :code"), {"code": code})
    assert deleted.rowcount == 1  # type: ignore[attr-defined]


DATED_TX = text(
    "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at, accounting_date,"
    " reverses_id) VALUES (:id, :source, 'test', 'CNY', now(), now(), :day, :reverses)"
)


async def _insert_tx(session: AsyncSession, day: date, reverses: uuid.UUID | None = None) -> uuid.UUID:
    tx = uuid.uuid4()
    await session.execute(DATED_TX, {"id": tx, "source": f"test:{tx}", "day": day, "reverses": reverses})
    return tx


async def test_a_posting_dated_in_a_closed_month_is_the_booking_conflict(database: Database) -> None:
    """The period trigger names its refusal (finance_0009): the booking's translator keys on
    it, not on the words "is closed"."""
    async with database.sessionmaker() as session:  # never committed: the closed month is this test's alone
        await session.execute(text("INSERT INTO ledger_periods (month, status) VALUES ('2001-03-01', 'closed')"))
        with pytest.raises(Conflict, match="the period closed while booking") as refused, DATABASE_RULES:
            await _insert_tx(session, date(2001, 3, 5))
        assert isinstance(refused.value.__cause__, DBAPIError)


async def test_a_second_reversal_of_a_transaction_is_the_already_reversed_conflict(database: Database) -> None:
    async with database.sessionmaker() as session:  # never committed
        original = await _insert_tx(session, date(2026, 11, 2))
        await _insert_tx(session, date(2026, 11, 2), reverses=original)
        with pytest.raises(Conflict, match="already reversed"), DATABASE_RULES:
            await _insert_tx(session, date(2026, 11, 2), reverses=original)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        # A refusal of the database the booking does not translate: another rule (unnamed).
        ("UPDATE postings SET amount_minor = 0 WHERE transaction_id = :tx", "append-only"),
        # Not a refusal at all.
        ("SELECT 1 / 0 WHERE CAST(:tx AS uuid) IS NOT NULL", "division by zero"),
    ],
)
async def test_other_database_errors_pass_through_the_booking_translator(
    database: Database, statement: str, message: str
) -> None:
    tx = await _book(database, [("sales_returns", 1), ("customer_refunds_payable", -1)])
    async with database.sessionmaker() as session:  # never committed
        with pytest.raises(DBAPIError, match=message), DATABASE_RULES:
            await session.execute(text(statement), {"tx": tx})
