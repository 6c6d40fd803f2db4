"""Accounting dates and monthly periods (a closed month refuses postings, in the database),
daily balances per account (balances as of a date without summing all history), optional
balance limits checked by the row update itself, one reversal per transaction, the rest of
the chart, and finance's check marks on table lines.

Revision ID: finance_0002
Revises: finance_0001
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "finance_0002"
down_revision: str | None = "finance_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHART = [
    ("goodwill_expense", "Goodwill and compensation to customers (Z4/Z5, goodwill refunds)", "expense"),
    ("sales_allowances", "Abnormal refunds: discounts on kept goods (C3B)", "revenue"),
    ("courier_receivables", "Owed by couriers found liable (K2)", "asset"),
    ("courier_recoveries", "Losses recovered from couriers (K2)", "revenue"),
    ("freight_advanced", "Freight advanced for quality returns (P2B1)", "expense"),
    ("merchant_payables", "Owed to marketplace merchants (settled on the 10th)", "liability"),
    ("cancellation_float", "Deposits refunded ahead of recovery from the merchant (7.3)", "asset"),
    ("exchange_differences", "Value differences on exchanges (T3)", "revenue"),
    ("customer_receivables", "Owed by customers (exchange differences)", "asset"),
    ("sales", "Sales of the shop's own orders", "revenue"),
]

APPLY_POSTING = """
CREATE OR REPLACE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE posting_day date;
BEGIN
  -- The row update locks the account: concurrent postings queue here, and the account's
  -- CHECK (within limits) sees every one of them in turn.
  UPDATE accounts SET balance_minor = balance_minor + NEW.amount_minor
   WHERE id = NEW.account_id AND currency = NEW.currency;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'posting currency % does not match account %', NEW.currency, NEW.account_id
      USING ERRCODE = '23514';
  END IF;
  SELECT accounting_date INTO posting_day FROM ledger_transactions WHERE id = NEW.transaction_id;
  INSERT INTO account_daily_balances AS d (account_id, day, debit_minor, credit_minor)
  VALUES (NEW.account_id, posting_day, greatest(NEW.amount_minor, 0), greatest(-NEW.amount_minor, 0))
  ON CONFLICT (account_id, day) DO UPDATE
    SET debit_minor = d.debit_minor + EXCLUDED.debit_minor, credit_minor = d.credit_minor + EXCLUDED.credit_minor;
  RETURN NEW;
END $$;
"""

OLD_APPLY_POSTING = """
CREATE OR REPLACE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts SET balance_minor = balance_minor + NEW.amount_minor
   WHERE id = NEW.account_id AND currency = NEW.currency;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'posting currency % does not match account %', NEW.currency, NEW.account_id
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
"""

CHECK_PERIOD = """
CREATE FUNCTION ledger_check_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE period_month date; period_status text;
BEGIN
  -- Writers that do not say (raw SQL) get the effective day in the business zone.
  IF NEW.accounting_date IS NULL THEN
    NEW.accounting_date := (NEW.effective_at AT TIME ZONE 'Asia/Shanghai')::date;
  END IF;
  period_month := date_trunc('month', NEW.accounting_date)::date;
  INSERT INTO ledger_periods (month) VALUES (period_month) ON CONFLICT DO NOTHING;
  -- FOR SHARE: a close (FOR UPDATE on the same row) waits for bookings in flight, and
  -- a booking waits for a close in flight, then sees it.
  SELECT status INTO period_status FROM ledger_periods WHERE month = period_month FOR SHARE;
  IF period_status = 'closed' THEN
    RAISE EXCEPTION 'period % is closed: book it in the next open period', to_char(period_month, 'YYYY-MM')
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "ledger_periods",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(8), server_default="open", nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Text(), nullable=True),
        sa.Column("report", sa.dialects.postgresql.JSONB(), nullable=True),
        sa.CheckConstraint("extract(day FROM month) = 1", name="ck_ledger_periods_first_of_month"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_ledger_periods_status_known"),
        sa.PrimaryKeyConstraint("month", name="pk_ledger_periods"),
    )
    op.create_table(
        "account_daily_balances",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("debit_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_account_daily_balances_account_id_accounts"),
        sa.PrimaryKeyConstraint("account_id", "day", name="pk_account_daily_balances"),
    )
    op.create_table(
        "line_checks",
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("checked_by", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["transaction_id"], ["ledger_transactions.id"], name="fk_line_checks_transaction_id_ledger_transactions"
        ),
        sa.PrimaryKeyConstraint("transaction_id", name="pk_line_checks"),
    )
    op.add_column("accounts", sa.Column("min_balance_minor", sa.BigInteger(), nullable=True))
    op.add_column("accounts", sa.Column("max_balance_minor", sa.BigInteger(), nullable=True))
    op.execute(
        "ALTER TABLE accounts ADD CONSTRAINT ck_accounts_within_limits CHECK ("
        "(min_balance_minor IS NULL OR balance_minor >= min_balance_minor)"
        " AND (max_balance_minor IS NULL OR balance_minor <= max_balance_minor))"
    )
    op.add_column("ledger_transactions", sa.Column("accounting_date", sa.Date(), nullable=True))
    # Rows booked before this revision take their effective date; the append-only trigger
    # is lifted for this one backfill only.
    op.execute("ALTER TABLE ledger_transactions DISABLE TRIGGER transactions_immutable")
    op.execute("UPDATE ledger_transactions SET accounting_date = (effective_at AT TIME ZONE 'Asia/Shanghai')::date")
    op.execute("ALTER TABLE ledger_transactions ENABLE TRIGGER transactions_immutable")
    op.alter_column("ledger_transactions", "accounting_date", nullable=False)
    op.create_index("ix_ledger_transactions_accounting_date", "ledger_transactions", ["accounting_date"])
    op.create_index(
        "uq_ledger_transactions_reverses_id",
        "ledger_transactions",
        ["reverses_id"],
        unique=True,
        postgresql_where=sa.text("reverses_id IS NOT NULL"),
    )
    op.create_index("ix_ledger_transactions_details_table", "ledger_transactions", [sa.text("(details->>'table')")])
    op.execute(
        "INSERT INTO account_daily_balances (account_id, day, debit_minor, credit_minor) "
        "SELECT p.account_id, t.accounting_date, sum(greatest(p.amount_minor, 0)), sum(greatest(-p.amount_minor, 0)) "
        "FROM postings p JOIN ledger_transactions t ON t.id = p.transaction_id GROUP BY 1, 2"
    )
    op.execute(APPLY_POSTING)
    op.execute(CHECK_PERIOD)
    op.execute(
        "CREATE TRIGGER transactions_period_open BEFORE INSERT ON ledger_transactions "
        "FOR EACH ROW EXECUTE FUNCTION ledger_check_period()"
    )
    accounts = sa.table(
        "accounts",
        sa.column("code", sa.String()),
        sa.column("name", sa.Text()),
        sa.column("type", sa.String()),
        sa.column("currency", sa.String()),
    )
    op.bulk_insert(accounts, [{"code": c, "name": n, "type": t, "currency": "CNY"} for c, n, t in CHART])


def downgrade() -> None:
    op.execute("DROP TRIGGER transactions_period_open ON ledger_transactions")
    op.execute("DROP FUNCTION ledger_check_period()")
    op.execute(OLD_APPLY_POSTING)
    op.drop_index("ix_ledger_transactions_details_table", "ledger_transactions")
    op.drop_index("uq_ledger_transactions_reverses_id", "ledger_transactions")
    op.drop_index("ix_ledger_transactions_accounting_date", "ledger_transactions")
    op.execute("ALTER TABLE ledger_transactions DISABLE TRIGGER transactions_immutable")
    op.drop_column("ledger_transactions", "accounting_date")
    op.execute("ALTER TABLE ledger_transactions ENABLE TRIGGER transactions_immutable")
    op.execute("ALTER TABLE accounts DROP CONSTRAINT ck_accounts_within_limits")
    op.drop_column("accounts", "max_balance_minor")
    op.drop_column("accounts", "min_balance_minor")
    op.drop_table("line_checks")
    op.drop_table("account_daily_balances")
    op.drop_table("ledger_periods")
    # The chart rows added here stay only if nothing was posted to them.
    op.execute(sa.text("DELETE FROM accounts WHERE code = ANY(:codes)").bindparams(codes=[c for c, _, _ in CHART]))
