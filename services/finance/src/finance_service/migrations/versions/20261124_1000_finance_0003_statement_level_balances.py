"""Balances maintained once per statement, not once per posting: a batch of N postings on
two hot accounts updated each account row N times in one transaction (every update a new
row version the next must step over); now it is one update per account and one upsert per
(account, day) per statement, with the account rows locked in id order (no deadlock
between batches touching the same accounts in different orders).

Revision ID: finance_0003
Revises: finance_0002
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "finance_0003"
down_revision: str | None = "finance_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPLY_POSTINGS = """
CREATE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE wanted int; matched int;
BEGIN
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
    RAISE EXCEPTION 'posting currency does not match its account' USING ERRCODE = '23514';
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
    op.execute("DROP TRIGGER postings_apply ON postings")
    op.execute(APPLY_POSTINGS)
    op.execute(
        "CREATE TRIGGER postings_apply_statement AFTER INSERT ON postings REFERENCING NEW TABLE AS inserted"
        " FOR EACH STATEMENT EXECUTE FUNCTION ledger_apply_postings()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER postings_apply_statement ON postings")
    op.execute("DROP FUNCTION ledger_apply_postings()")
    op.execute(
        "CREATE TRIGGER postings_apply AFTER INSERT ON postings FOR EACH ROW EXECUTE FUNCTION ledger_apply_posting()"
    )
