"""The ledger's rules checked once per statement or per transaction, not once per row:

- Period open: was a BEFORE trigger per ledger transaction row (an upsert of the period
  and a FOR SHARE read, for every row of a 500-row batch); now one AFTER statement trigger
  over the inserted rows, locking each month touched once. A WHEN clause keeps the
  per-row default of ``accounting_date`` for writers that give none, evaluated without
  calling a function unless it is missing.
- Balanced: was a deferred check per posting (two per transaction, each summing the
  transaction); now a deferred check per ledger transaction, which also refuses a
  transaction left with no postings at all.

Same rules, same errors; what changes is how often they run (benchmarks/finance_ledger.py).

Revision ID: finance_0006
Revises: finance_0005
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "finance_0006"
down_revision: str | None = "finance_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_ACCOUNTING_DATE = """
CREATE FUNCTION ledger_default_accounting_date() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Writers that do not say (raw SQL) get the effective day in the business zone.
  NEW.accounting_date := (NEW.effective_at AT TIME ZONE 'Asia/Shanghai')::date;
  RETURN NEW;
END $$;
"""

CHECK_PERIODS = """
CREATE FUNCTION ledger_check_periods() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE months date[]; period record;
BEGIN
  SELECT array_agg(DISTINCT date_trunc('month', accounting_date)::date) INTO months FROM inserted;
  INSERT INTO ledger_periods (month) SELECT unnest(months) ORDER BY 1 ON CONFLICT DO NOTHING;
  -- FOR SHARE: a close (FOR UPDATE on the same row) waits for bookings in flight, and a
  -- booking waits for a close in flight, then sees it (the locked row is the latest).
  FOR period IN SELECT month, status FROM ledger_periods WHERE month = ANY(months) ORDER BY month FOR SHARE LOOP
    IF period.status = 'closed' THEN
      RAISE EXCEPTION 'period % is closed: book it in the next open period', to_char(period.month, 'YYYY-MM')
        USING ERRCODE = '23514';
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
"""

CHECK_TRANSACTION_BALANCED = """
CREATE FUNCTION ledger_check_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE total bigint; legs int; foreign_legs int;
BEGIN
  SELECT coalesce(sum(amount_minor), 0), count(*), count(*) FILTER (WHERE currency <> NEW.currency)
    INTO total, legs, foreign_legs FROM postings WHERE transaction_id = NEW.id;
  IF total <> 0 OR legs < 2 THEN
    RAISE EXCEPTION 'ledger transaction % is unbalanced (sum %, % postings)', NEW.id, total, legs
      USING ERRCODE = '23514';
  END IF;
  IF foreign_legs <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % mixes currencies', NEW.id USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute("DROP TRIGGER transactions_period_open ON ledger_transactions")
    op.execute(DEFAULT_ACCOUNTING_DATE)
    op.execute(CHECK_PERIODS)
    op.execute(
        "CREATE TRIGGER transactions_accounting_date BEFORE INSERT ON ledger_transactions FOR EACH ROW"
        " WHEN (NEW.accounting_date IS NULL) EXECUTE FUNCTION ledger_default_accounting_date()"
    )
    op.execute(
        "CREATE TRIGGER transactions_period_open AFTER INSERT ON ledger_transactions"
        " REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_periods()"
    )
    op.execute("DROP TRIGGER postings_balanced ON postings")
    op.execute(CHECK_TRANSACTION_BALANCED)
    op.execute(
        "CREATE CONSTRAINT TRIGGER transactions_balanced AFTER INSERT ON ledger_transactions"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER transactions_balanced ON ledger_transactions")
    op.execute("DROP FUNCTION ledger_check_transaction_balanced()")
    op.execute(
        "CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()"
    )
    op.execute("DROP TRIGGER transactions_period_open ON ledger_transactions")
    op.execute("DROP TRIGGER transactions_accounting_date ON ledger_transactions")
    op.execute("DROP FUNCTION ledger_check_periods()")
    op.execute("DROP FUNCTION ledger_default_accounting_date()")
    op.execute(
        "CREATE TRIGGER transactions_period_open BEFORE INSERT ON ledger_transactions "
        "FOR EACH ROW EXECUTE FUNCTION ledger_check_period()"
    )
