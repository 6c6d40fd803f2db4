"""A sub-ledger of what each merchant is owed, per order, that always sums to the control
account (issue 17 items 2 and 3).

``merchant_payables`` was one balance for every merchant. Settlement could only pay an
order's ``paid_minor`` and could not see what the ledger had already taken back from it
(refunds of its goods, abnormal refunds charged to the merchant). Now:

- an account may be **keyed by merchant** (``accounts.keyed_by = 'merchant'``;
  ``merchant_payables`` is). Every posting to it names its merchant, and the order when
  there is one (``postings.merchant_id``, ``postings.order_id``). A posting to any other
  account names neither. The postings trigger refuses both mistakes
  (``ledger_merchant_key``), in the pass it already makes over each statement's accounts;
- ``merchant_balances`` holds, per (account, merchant, order), the sum of those postings.
  ``order_id`` is '' for a posting to the merchant as a whole. The postings trigger writes
  it in the same statement as the account's balance, only when a statement has keyed
  legs, so it always sums to the control account's balance. Like the balances, nothing
  else writes it (``ledger_balances_by_postings``, finance_0011);
- postings booked before this revision are keyed from their transaction's details
  (``merchant_id``, ``order_id``, which every merchant booking carried). A posting without
  a merchant goes to the merchant ``unassigned``, so that the sub-ledger still sums to the
  control account.

Revision ID: finance_0012
Revises: finance_0011
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aftersales_chassis.migration_history import earlier_migration

revision: str = "finance_0012"
down_revision: str | None = "finance_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = earlier_migration(__file__, "20261204_1500_finance_0011_ledger_immutable_whoever_writes.py")

APPLY_POSTINGS = """
CREATE OR REPLACE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE wanted int; matched int; miskeyed int; keyed int; orphan uuid; closed date; tx_ids uuid[]; tx_days date[];
  me xid := pg_current_xact_id()::xid;
BEGIN
  -- Each transaction's accounting date, by primary key, once per transaction; NULL when the
  -- transaction does not exist or was inserted by another database transaction (its xmin).
  SELECT array_agg(i.transaction_id),
         array_agg((SELECT t.accounting_date FROM ledger_transactions t WHERE t.id = i.transaction_id AND t.xmin = me))
    INTO tx_ids, tx_days FROM (SELECT DISTINCT transaction_id FROM inserted) i;
  SELECT x.id INTO orphan FROM unnest(tx_ids, tx_days) AS x(id, day) WHERE x.day IS NULL LIMIT 1;
  IF orphan IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = orphan) THEN
      RAISE EXCEPTION 'ledger transaction % was committed earlier: postings are written with their transaction, never added later', orphan
        USING ERRCODE = '23514', CONSTRAINT = 'ledger_postings_with_transaction';
    END IF;
    RAISE EXCEPTION 'posting refers to ledger transaction % that does not exist', orphan USING ERRCODE = '23503';
  END IF;
  SELECT p.month INTO closed FROM ledger_periods p
   WHERE p.month = ANY(ARRAY(SELECT DISTINCT date_trunc('month', d)::date FROM unnest(tx_days) d))
     AND p.status = 'closed' LIMIT 1;
  IF closed IS NOT NULL THEN
    RAISE EXCEPTION 'period % is closed: book it in the next open period', to_char(closed, 'YYYY-MM')
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_period_open';
  END IF;
  PERFORM 1 FROM accounts WHERE id IN (SELECT DISTINCT account_id FROM inserted) ORDER BY id FOR NO KEY UPDATE;
  SELECT count(*) INTO wanted FROM (SELECT DISTINCT account_id, currency FROM inserted) k;
  -- The balance guard lets these writes through (and only from inside this trigger).
  PERFORM set_config('aftersales.ledger_posting', 'on', true);
  -- The accounts' CHECK (within limits) sees each statement's net effect per account. The
  -- same pass counts the legs keyed wrongly: none on a keyed account, or some on another.
  WITH per_account AS (
    SELECT account_id, currency, sum(amount_minor) AS delta,
           count(*) FILTER (WHERE merchant_id IS NULL) AS unkeyed,
           count(*) FILTER (WHERE merchant_id IS NOT NULL OR order_id IS NOT NULL) AS keyed
      FROM inserted GROUP BY account_id, currency
  ), updated AS (
    UPDATE accounts a SET balance_minor = a.balance_minor + p.delta
      FROM per_account p WHERE a.id = p.account_id AND a.currency = p.currency
    RETURNING a.id, CASE WHEN a.keyed_by IS NULL THEN p.keyed ELSE p.unkeyed END AS miskeyed,
              CASE WHEN a.keyed_by IS NULL THEN 0 ELSE p.keyed END AS keyed
  )
  SELECT count(*), coalesce(sum(u.miskeyed), 0), coalesce(sum(u.keyed), 0) INTO matched, miskeyed, keyed FROM updated u;
  IF matched <> wanted THEN
    RAISE EXCEPTION 'posting account does not exist or its currency differs' USING ERRCODE = '23514';
  END IF;
  IF miskeyed <> 0 THEN
    RAISE EXCEPTION 'a posting to a merchant-keyed account names its merchant; a posting to any other names none'
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_merchant_key';
  END IF;
  IF keyed <> 0 THEN
    INSERT INTO merchant_balances AS m (account_id, merchant_id, order_id, balance_minor)
    SELECT account_id, merchant_id, coalesce(order_id, ''), sum(amount_minor)
      FROM inserted WHERE merchant_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (account_id, merchant_id, order_id) DO UPDATE SET balance_minor = m.balance_minor + EXCLUDED.balance_minor;
  END IF;
  INSERT INTO account_daily_balances AS d (account_id, day, debit_minor, credit_minor)
  SELECT i.account_id, x.day, sum(greatest(i.amount_minor, 0)), sum(greatest(-i.amount_minor, 0))
    FROM inserted i JOIN unnest(tx_ids, tx_days) AS x(id, day) ON x.id = i.transaction_id
   GROUP BY i.account_id, x.day
  ON CONFLICT (account_id, day) DO UPDATE
    SET debit_minor = d.debit_minor + EXCLUDED.debit_minor, credit_minor = d.credit_minor + EXCLUDED.credit_minor;
  PERFORM set_config('aftersales.ledger_posting', 'off', true);
  RETURN NULL;
END $$;
"""

GUARDS = [  # (name, the rest of CREATE TRIGGER after the name)
    (
        "merchant_balances_by_postings",
        "BEFORE INSERT OR UPDATE OR DELETE ON merchant_balances FOR EACH ROW EXECUTE FUNCTION ledger_balances_guard()",
    ),
    (
        "merchant_balances_no_truncate",
        "BEFORE TRUNCATE ON merchant_balances FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable()",
    ),
]


def upgrade() -> None:
    op.add_column("accounts", sa.Column("keyed_by", sa.String(16), nullable=True))
    op.execute("ALTER TABLE accounts ADD CONSTRAINT ck_accounts_keyed_by_known CHECK (keyed_by IN ('merchant'))")
    op.execute("UPDATE accounts SET keyed_by = 'merchant' WHERE code = 'merchant_payables'")
    op.add_column("postings", sa.Column("merchant_id", sa.Text(), nullable=True))
    op.add_column("postings", sa.Column("order_id", sa.Text(), nullable=True))
    op.create_index(
        "ix_postings_merchant_id",
        "postings",
        ["merchant_id", "id"],
        postgresql_where=sa.text("merchant_id IS NOT NULL"),
    )
    op.create_table(
        "merchant_balances",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Text(), server_default="", nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_merchant_balances_account_id_accounts"),
        sa.PrimaryKeyConstraint("account_id", "merchant_id", "order_id", name="pk_merchant_balances"),
    )
    # Postings booked before: keyed from their transaction's details; the append-only
    # trigger is lifted for this one backfill only.
    op.execute("ALTER TABLE postings DISABLE TRIGGER postings_immutable")
    op.execute(
        "UPDATE postings p SET merchant_id = coalesce(t.details->>'merchant_id', 'unassigned'),"
        " order_id = t.details->>'order_id'"
        " FROM ledger_transactions t, accounts a"
        " WHERE t.id = p.transaction_id AND a.id = p.account_id AND a.keyed_by = 'merchant'"
    )
    op.execute("ALTER TABLE postings ENABLE TRIGGER postings_immutable")
    op.execute(
        "INSERT INTO merchant_balances (account_id, merchant_id, order_id, balance_minor)"
        " SELECT account_id, merchant_id, coalesce(order_id, ''), sum(amount_minor) FROM postings"
        " WHERE merchant_id IS NOT NULL GROUP BY 1, 2, 3"
    )
    op.execute(APPLY_POSTINGS)
    for name, definition in GUARDS:
        op.execute(f"CREATE TRIGGER {name} {definition}")


def downgrade() -> None:
    for name, _ in reversed(GUARDS):
        op.execute(f"DROP TRIGGER {name} ON merchant_balances")
    op.execute(IMMUTABLE.APPLY_POSTINGS)
    op.drop_table("merchant_balances")
    op.drop_index("ix_postings_merchant_id", "postings")
    op.drop_column("postings", "order_id")
    op.drop_column("postings", "merchant_id")
    op.execute("ALTER TABLE accounts DROP CONSTRAINT ck_accounts_keyed_by_known")
    op.drop_column("accounts", "keyed_by")
