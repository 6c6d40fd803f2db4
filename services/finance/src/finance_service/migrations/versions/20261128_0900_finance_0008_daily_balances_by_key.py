"""Daily balances no longer join a statement's postings to every transaction ever booked.

0007's posting trigger joined the statement's postings to ``ledger_transactions`` to find
each posting's accounting date. The transition table has no statistics, so the planner
hashed the whole ``ledger_transactions`` table for every statement: a 500-transaction
batch spent 32 ms there with 60k transactions booked, and raw batch inserts fell from
11,163 to 4,788 transactions/s as the table grew from 0 to 120k rows (O(n) per batch).
Now each distinct transaction's date is read once by primary key (a scalar subquery, which
the planner cannot turn into that hash join), which also serves the orphan check.

Revision ID: finance_0008
Revises: finance_0007
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "finance_0008"
down_revision: str | None = "finance_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPLY_POSTINGS_BY_KEY = """
CREATE OR REPLACE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE wanted int; matched int; orphan uuid; tx_ids uuid[]; tx_days date[];
BEGIN
  -- Each transaction's accounting date, by primary key, once per transaction (NULL: the
  -- transaction does not exist; accounting_date itself is NOT NULL).
  SELECT array_agg(i.transaction_id),
         array_agg((SELECT t.accounting_date FROM ledger_transactions t WHERE t.id = i.transaction_id))
    INTO tx_ids, tx_days FROM (SELECT DISTINCT transaction_id FROM inserted) i;
  SELECT x.id INTO orphan FROM unnest(tx_ids, tx_days) AS x(id, day) WHERE x.day IS NULL LIMIT 1;
  IF orphan IS NOT NULL THEN
    RAISE EXCEPTION 'posting refers to ledger transaction % that does not exist', orphan USING ERRCODE = '23503';
  END IF;
  PERFORM 1 FROM accounts WHERE id IN (SELECT DISTINCT account_id FROM inserted) ORDER BY id FOR NO KEY UPDATE;
  SELECT count(*) INTO wanted FROM (SELECT DISTINCT account_id, currency FROM inserted) k;
  -- The accounts' CHECK (within limits) sees each statement's net effect per account.
  WITH per_account AS (
    SELECT account_id, currency, sum(amount_minor) AS delta FROM inserted GROUP BY account_id, currency
  ), updated AS (
    UPDATE accounts a SET balance_minor = a.balance_minor + p.delta
      FROM per_account p WHERE a.id = p.account_id AND a.currency = p.currency RETURNING a.id
  )
  SELECT count(*) INTO matched FROM updated;
  IF matched <> wanted THEN
    RAISE EXCEPTION 'posting account does not exist or its currency differs' USING ERRCODE = '23514';
  END IF;
  INSERT INTO account_daily_balances AS d (account_id, day, debit_minor, credit_minor)
  SELECT i.account_id, x.day, sum(greatest(i.amount_minor, 0)), sum(greatest(-i.amount_minor, 0))
    FROM inserted i JOIN unnest(tx_ids, tx_days) AS x(id, day) ON x.id = i.transaction_id
   GROUP BY i.account_id, x.day
  ON CONFLICT (account_id, day) DO UPDATE
    SET debit_minor = d.debit_minor + EXCLUDED.debit_minor, credit_minor = d.credit_minor + EXCLUDED.credit_minor;
  RETURN NULL;
END $$;
"""

# finance_0007's body, for the downgrade.
APPLY_POSTINGS_0007 = """
CREATE OR REPLACE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE wanted int; matched int; orphan uuid;
BEGIN
  SELECT i.transaction_id INTO orphan FROM (SELECT DISTINCT transaction_id FROM inserted) i
   WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = i.transaction_id) LIMIT 1;
  IF orphan IS NOT NULL THEN
    RAISE EXCEPTION 'posting refers to ledger transaction % that does not exist', orphan USING ERRCODE = '23503';
  END IF;
  PERFORM 1 FROM accounts WHERE id IN (SELECT DISTINCT account_id FROM inserted) ORDER BY id FOR NO KEY UPDATE;
  SELECT count(*) INTO wanted FROM (SELECT DISTINCT account_id, currency FROM inserted) k;
  -- The accounts' CHECK (within limits) sees each statement's net effect per account.
  WITH per_account AS (
    SELECT account_id, currency, sum(amount_minor) AS delta FROM inserted GROUP BY account_id, currency
  ), updated AS (
    UPDATE accounts a SET balance_minor = a.balance_minor + p.delta
      FROM per_account p WHERE a.id = p.account_id AND a.currency = p.currency RETURNING a.id
  )
  SELECT count(*) INTO matched FROM updated;
  IF matched <> wanted THEN
    RAISE EXCEPTION 'posting account does not exist or its currency differs' USING ERRCODE = '23514';
  END IF;
  INSERT INTO account_daily_balances AS d (account_id, day, debit_minor, credit_minor)
  SELECT i.account_id, t.accounting_date, sum(greatest(i.amount_minor, 0)), sum(greatest(-i.amount_minor, 0))
    FROM inserted i JOIN ledger_transactions t ON t.id = i.transaction_id
   GROUP BY i.account_id, t.accounting_date
  ON CONFLICT (account_id, day) DO UPDATE
    SET debit_minor = d.debit_minor + EXCLUDED.debit_minor, credit_minor = d.credit_minor + EXCLUDED.credit_minor;
  RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(APPLY_POSTINGS_BY_KEY)


def downgrade() -> None:
    op.execute(APPLY_POSTINGS_0007)
