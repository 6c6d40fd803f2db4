"""The ledger made impossible to unbalance or change after commit, whoever writes (issue 17
item 1; TigerBeetle's promise, ADR 0004):

- **Postings are written with their transaction.** The balance check runs at commit, for
  the ledger transactions inserted in that database transaction (finance_0006). A posting
  added later, in another database transaction, to a transaction already committed passed
  every check and unbalanced it. Now the postings trigger reads each transaction row with
  its ``xmin`` and refuses a posting whose transaction was not inserted by the current
  database transaction (``ledger_postings_with_transaction``). The lookup by primary key
  was already there (finance_0008), so the check adds one comparison per transaction. A
  booking wrapped in a savepoint gets a subtransaction id as ``xmin`` and is refused too.
  No code path books inside a savepoint.
- **A closed period refuses postings as well as transactions.** The same trigger refuses
  a posting whose transaction is dated in a closed month (``ledger_period_open``, the name
  the period check on transactions already has).
- **Balances move only with postings.** ``accounts.balance_minor`` and
  ``account_daily_balances`` are written by the postings trigger alone. A guard trigger on
  both refuses any other write (``ledger_balances_by_postings``): the postings trigger
  turns a transaction-local setting on around its own writes, and the guard also requires
  a trigger depth of 2. A session that sets the setting itself still writes from depth 1
  and is refused. Without the depth check, a ``SET LOCAL`` would be enough to get around
  the guard. An account is opened with a balance of 0. Truncating either table is refused.
- **Named refusals.** The append-only refusal on postings and transactions
  (``ledger_append_only``) and the unbalanced or mixed-currency refusal at commit
  (``ledger_transaction_balanced``) now carry constraint names, so a service can map them
  by name (ADR 0017), as finance_0009 did for the others.

The downgrade puts back the functions of finance_0001, 0006 and 0008, read from there.

Revision ID: finance_0011
Revises: finance_0010
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

from alembic import op

from aftersales_chassis.migration_history import earlier_migration, or_replace

revision: str = "finance_0011"
down_revision: str | None = "finance_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = earlier_migration(__file__, "20261127_0900_finance_0006_set_based_checks.py")
BY_KEY = earlier_migration(__file__, "20261128_0900_finance_0008_daily_balances_by_key.py")

# aftersales.ledger_posting: the transaction-local setting the postings trigger turns on
# around its own balance writes.
APPLY_POSTINGS = """
CREATE OR REPLACE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE wanted int; matched int; orphan uuid; closed date; tx_ids uuid[]; tx_days date[];
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
  PERFORM set_config('aftersales.ledger_posting', 'off', true);
  RETURN NULL;
END $$;
"""

BALANCES_GUARD = """
CREATE FUNCTION ledger_balances_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Depth 2: a write made by a trigger (the postings trigger) fired by a statement; the
  -- setting: that trigger is the postings one. A session setting it itself is at depth 1.
  IF pg_trigger_depth() < 2 OR current_setting('aftersales.ledger_posting', true) IS DISTINCT FROM 'on' THEN
    RAISE EXCEPTION '% moves only with the postings that make it: book a transaction', TG_TABLE_NAME
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_balances_by_postings';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: book a reversing transaction instead', TG_TABLE_NAME
    USING ERRCODE = '23514', CONSTRAINT = 'ledger_append_only';
END $$;
"""

# finance_0001's body (written there inside a list, not as a name), for the downgrade.
APPEND_ONLY_0001 = """
CREATE OR REPLACE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: book a reversing transaction instead', TG_TABLE_NAME
    USING ERRCODE = '23514';
END $$;
"""

GUARDS = [  # (name, table, the rest of CREATE TRIGGER after the name)
    (
        "accounts_balance_by_postings",
        "accounts",
        "BEFORE UPDATE OF balance_minor ON accounts FOR EACH ROW"
        " WHEN (NEW.balance_minor IS DISTINCT FROM OLD.balance_minor) EXECUTE FUNCTION ledger_balances_guard()",
    ),
    (
        "accounts_open_at_zero",
        "accounts",
        "BEFORE INSERT ON accounts FOR EACH ROW WHEN (NEW.balance_minor <> 0) EXECUTE FUNCTION ledger_balances_guard()",
    ),
    (
        "accounts_no_truncate",
        "accounts",
        "BEFORE TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable()",
    ),
    (
        "daily_balances_by_postings",
        "account_daily_balances",
        "BEFORE INSERT OR UPDATE OR DELETE ON account_daily_balances FOR EACH ROW"
        " EXECUTE FUNCTION ledger_balances_guard()",
    ),
    (
        "daily_balances_no_truncate",
        "account_daily_balances",
        "BEFORE TRUNCATE ON account_daily_balances FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable()",
    ),
]


def _balanced_named() -> str:
    """finance_0006's balance check with each of its two refusals named."""
    plain = "USING ERRCODE = '23514';"
    body = or_replace(CHECKS.CHECK_TRANSACTION_BALANCED)
    if body.count(plain) != 2:
        raise ValueError("finance_0006's balance check no longer has its two refusals")
    return body.replace(plain, "USING ERRCODE = '23514', CONSTRAINT = 'ledger_transaction_balanced';")


def upgrade() -> None:
    op.execute(APPLY_POSTINGS)
    op.execute(APPEND_ONLY)
    op.execute(_balanced_named())
    op.execute(BALANCES_GUARD)
    for name, _, definition in GUARDS:
        op.execute(f"CREATE TRIGGER {name} {definition}")


def downgrade() -> None:
    for name, table, _ in reversed(GUARDS):
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION ledger_balances_guard()")
    op.execute(or_replace(CHECKS.CHECK_TRANSACTION_BALANCED))
    op.execute(APPEND_ONLY_0001)
    op.execute(BY_KEY.APPLY_POSTINGS_BY_KEY)
