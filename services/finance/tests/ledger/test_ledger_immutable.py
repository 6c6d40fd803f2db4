"""Nobody can unbalance or change the ledger after it committed, whatever they write (issue 17
item 1, finance_0011). Raw SQL through the service's own database connection (its role): every
attempt is refused with a named constraint. The ledger's own paths still book and balance."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from sqlalchemy import TextClause, text
from sqlalchemy.exc import DBAPIError

from aftersales_chassis import Role
from aftersales_chassis.db import Database
from aftersales_chassis.db_errors import refusal_of
from aftersales_chassis.testing import Tokens

from ..kit import book

NEW_TX = text(
    "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at, accounting_date)"
    " VALUES (:id, :source, 'test', 'CNY', now(), now(), :day)"
)
POST = text(
    "INSERT INTO postings (transaction_id, account_id, amount_minor, currency) "
    "SELECT :tx, id, :amount, 'CNY' FROM accounts WHERE code = :code"
)
TODAY = date(2026, 11, 20)


async def _committed(db: Database, amount: int = 500) -> uuid.UUID:
    tx = uuid.uuid4()
    async with db.sessionmaker() as session, session.begin():
        await session.execute(NEW_TX, {"id": tx, "source": f"test:{tx}", "day": TODAY})
        await session.execute(POST, {"tx": tx, "amount": amount, "code": "sales_returns"})
        await session.execute(POST, {"tx": tx, "amount": -amount, "code": "customer_refunds_payable"})
    return tx


async def _run(db: Database, *statements: str | TextClause, **params: object) -> None:
    """The statements in one database transaction (committed if none is refused)."""
    async with db.sessionmaker() as session, session.begin():
        for statement in statements:
            await session.execute(text(statement) if isinstance(statement, str) else statement, params)


async def _refused(db: Database, *statements: str | TextClause, **params: object) -> str | None:
    """Runs the statements in one database transaction; returns the refusal's constraint name."""
    with pytest.raises(DBAPIError) as refused:
        await _run(db, *statements, **params)
    return refusal_of(refused.value).constraint


async def _figures(db: Database) -> tuple[dict[str, int], int, int]:
    async with db.sessionmaker() as session:
        rows = await session.execute(text("SELECT code, balance_minor FROM accounts"))
        balances = {code: balance for code, balance in rows}
        postings = await session.scalar(text("SELECT count(*) FROM postings"))
        daily = await session.scalar(
            text("SELECT coalesce(sum(debit_minor - credit_minor), 0) FROM account_daily_balances")
        )
    return balances, int(postings or 0), int(daily or 0)


async def test_a_posting_added_later_to_a_committed_transaction_is_refused(database: Database) -> None:
    tx = await _committed(database)
    before = await _figures(database)
    one_more = (
        "INSERT INTO postings (transaction_id, account_id, amount_minor, currency)"
        " SELECT CAST(:tx AS uuid), id, 999, 'CNY' FROM accounts WHERE code = 'cash'"
    )
    assert await _refused(database, one_more, tx=tx) == "ledger_postings_with_transaction"
    # Balanced legs added later are refused all the same: the transaction is what was committed.
    balanced_pair = (
        "INSERT INTO postings (transaction_id, account_id, amount_minor, currency)"
        " SELECT CAST(:tx AS uuid), id, CASE code WHEN 'cash' THEN 7 ELSE -7 END, 'CNY' FROM accounts"
        " WHERE code IN ('cash', 'sales')"
    )
    assert await _refused(database, balanced_pair, tx=tx) == "ledger_postings_with_transaction"
    assert await _figures(database) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE postings SET amount_minor = amount_minor * 2 WHERE transaction_id = :tx",
        "UPDATE postings SET account_id = account_id WHERE transaction_id = :tx",
        "DELETE FROM postings WHERE transaction_id = :tx",
        "TRUNCATE postings",
        "UPDATE ledger_transactions SET accounting_date = accounting_date + 40 WHERE id = :tx",
        "DELETE FROM ledger_transactions WHERE id = :tx",
    ],
)
async def test_no_posting_or_transaction_is_ever_updated_or_deleted(database: Database, statement: str) -> None:
    tx = await _committed(database)
    assert await _refused(database, statement, tx=tx) == "ledger_append_only"


@pytest.mark.parametrize(
    "statements",
    [
        ["UPDATE accounts SET balance_minor = balance_minor + 100 WHERE code = 'cash'"],
        # The trigger's own setting, set by the session: still refused (not written from the trigger).
        [
            "SET LOCAL aftersales.ledger_posting = 'on'",
            "UPDATE accounts SET balance_minor = balance_minor + 100 WHERE code = 'cash'",
        ],
        ["SELECT set_config('aftersales.ledger_posting', 'on', true)", "UPDATE accounts SET balance_minor = 0"],
        [
            "INSERT INTO accounts (id, code, name, type, currency, balance_minor, created_at)"
            " VALUES (gen_random_uuid(), 'opened_rich_' || md5(random()::text), 'x', 'asset', 'CNY', 100, now())"
        ],
        ["UPDATE account_daily_balances SET debit_minor = debit_minor + 1"],
        ["DELETE FROM account_daily_balances"],
        [
            "INSERT INTO account_daily_balances (account_id, day, debit_minor, credit_minor)"
            " SELECT id, DATE '2026-11-21', 100, 0 FROM accounts WHERE code = 'cash'"
            " ON CONFLICT (account_id, day) DO UPDATE SET debit_minor = 0"
        ],
    ],
)
async def test_balances_move_only_through_the_postings(database: Database, statements: list[str]) -> None:
    await _committed(database)  # so that there are daily rows to change
    before = await _figures(database)
    assert await _refused(database, *statements) == "ledger_balances_by_postings"
    assert await _figures(database) == before


@pytest.mark.parametrize("table", ["accounts", "account_daily_balances"])
async def test_balances_are_not_truncated(database: Database, table: str) -> None:
    assert await _refused(database, f"TRUNCATE {table} CASCADE") == "ledger_append_only"


async def test_a_closed_period_refuses_a_posting_dated_in_it(database: Database) -> None:
    """The transaction is written while March 2003 is open; the month closes before its
    postings come (in the same database transaction, so only the period stops them)."""
    tx = uuid.uuid4()
    constraint = await _refused(
        database,
        NEW_TX,
        "UPDATE ledger_periods SET status = 'closed' WHERE month = DATE '2003-03-01'",
        POST,
        id=tx,
        source=f"test:{tx}",
        day=date(2003, 3, 9),
        tx=tx,
        amount=100,
        code="sales_returns",
    )
    assert constraint == "ledger_period_open"


async def test_an_unbalanced_transaction_names_its_refusal(database: Database) -> None:
    tx = uuid.uuid4()
    constraint = await _refused(
        database,
        "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at)"
        " VALUES (CAST(:tx AS uuid), 'test:' || :tx, 'x', 'CNY', now(), now())",
        "INSERT INTO postings (transaction_id, account_id, amount_minor, currency)"
        " SELECT CAST(:tx AS uuid), id, 5, 'CNY' FROM accounts WHERE code = 'cash'",
        tx=str(tx),
    )
    assert constraint == "ledger_transaction_balanced"


async def test_the_ledgers_own_paths_still_book_limit_and_reconcile(
    database: Database, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    before, _, _ = await _figures(database)
    await _committed(database, 300)  # raw SQL, in one database transaction: allowed
    booked = await book(client, tokens, {"sales_returns": 200, "customer_refunds_payable": -200})
    assert booked.status_code == 201, booked.text
    reversed_ = await client.post(
        f"/ledger/transactions/{booked.json()['id']}/reverse",
        json={"reason": "test"},
        headers=tokens.headers(Role.finance),
    )
    assert reversed_.status_code == 201, reversed_.text
    after, _, _ = await _figures(database)
    assert after["sales_returns"] - before["sales_returns"] == 300
    # Limits are not balances: finance still sets them.
    code = f"limited_{uuid.uuid4().hex[:8]}"
    opened = await client.post(
        "/ledger/accounts",
        json={"code": code, "name": "limited", "type": "asset"},
        headers=tokens.headers(Role.finance),
    )
    assert opened.status_code == 201, opened.text
    limited = await client.put(
        f"/ledger/accounts/{code}/limits", json={"min_balance_minor": 0}, headers=tokens.headers(Role.finance)
    )
    assert limited.status_code == 200, limited.text
    reconciliation = (await client.get("/ledger/reconciliation", headers=tokens.headers(Role.finance))).json()
    assert reconciliation["ok"], reconciliation
