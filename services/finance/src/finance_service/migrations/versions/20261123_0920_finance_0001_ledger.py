"""The double-entry ledger: accounts, transactions, postings, and the database rules that
keep it honest (balanced per transaction, one currency, immutable, maintained balances).

Revision ID: finance_0001
Revises:
Depends on: platform_0001
Create Date: 2026-11-23 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "finance_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("finance",)
depends_on: str | Sequence[str] | None = "platform_0001"

CHART = [
    ("cash", "Cash at the payment provider", "asset"),
    ("customer_refunds_payable", "Refunds owed to customers", "liability"),
    ("sales_returns", "Sales returns (contra-revenue)", "revenue"),
    ("freight_refunds", "Freight borne by the shop on returns", "expense"),
]

RULES = [
    s.strip()
    for s in [
        "\nCREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$\nDECLARE total bigint; legs int; currencies int; tx_currency text;\nBEGIN\n  SELECT currency INTO tx_currency FROM ledger_transactions WHERE id = NEW.transaction_id;\n  SELECT coalesce(sum(amount_minor), 0), count(*), count(DISTINCT currency)\n    INTO total, legs, currencies FROM postings WHERE transaction_id = NEW.transaction_id;\n  IF total <> 0 OR legs < 2 THEN\n    RAISE EXCEPTION 'ledger transaction % is unbalanced (sum %, % postings)', NEW.transaction_id, total, legs\n      USING ERRCODE = '23514';\n  END IF;\n  IF currencies <> 1 OR NEW.currency <> tx_currency THEN\n    RAISE EXCEPTION 'ledger transaction % mixes currencies', NEW.transaction_id USING ERRCODE = '23514';\n  END IF;\n  RETURN NULL;\nEND $$;",
        "CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings\n  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();",
        "CREATE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE accounts SET balance_minor = balance_minor + NEW.amount_minor\n   WHERE id = NEW.account_id AND currency = NEW.currency;\n  IF NOT FOUND THEN\n    RAISE EXCEPTION 'posting currency % does not match account %', NEW.currency, NEW.account_id\n      USING ERRCODE = '23514';\n  END IF;\n  RETURN NEW;\nEND $$;",
        "CREATE TRIGGER postings_apply AFTER INSERT ON postings FOR EACH ROW EXECUTE FUNCTION ledger_apply_posting();",
        "CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RAISE EXCEPTION '% is append-only: book a reversing transaction instead', TG_TABLE_NAME\n    USING ERRCODE = '23514';\nEND $$;",
        "CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings\n  FOR EACH ROW EXECUTE FUNCTION ledger_immutable();",
        "CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings\n  FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();",
        "CREATE TRIGGER transactions_immutable BEFORE UPDATE OR DELETE ON ledger_transactions\n  FOR EACH ROW EXECUTE FUNCTION ledger_immutable();",
        "CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions\n  FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();\n",
    ]
    if s.strip() and not s.strip().startswith("--")
]


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "type IN ('asset', 'liability', 'equity', 'revenue', 'expense')", name="ck_accounts_type_known"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("code", name="uq_accounts_code"),
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reverses_id", sa.Uuid(), nullable=True),
        sa.Column("details", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["ledger_transactions.id"], name="fk_ledger_transactions_reverses_id_ledger_transactions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_transactions"),
        sa.UniqueConstraint("source", name="uq_ledger_transactions_source"),
    )
    op.create_index("ix_ledger_transactions_booked_at", "ledger_transactions", ["booked_at", "id"])
    op.create_table(
        "postings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.CheckConstraint("amount_minor <> 0", name="ck_postings_amount_not_zero"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_postings_account_id_accounts"),
        sa.ForeignKeyConstraint(
            ["transaction_id"], ["ledger_transactions.id"], name="fk_postings_transaction_id_ledger_transactions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_postings"),
    )
    op.create_index("ix_postings_transaction_id", "postings", ["transaction_id"])
    op.create_index("ix_postings_account_id", "postings", ["account_id"])
    # The balance check is a deferred constraint trigger: it runs at commit, once all
    # postings of a transaction are in.
    for statement in RULES:
        op.execute(statement)
    accounts = sa.table(
        "accounts",
        sa.column("code", sa.String()),
        sa.column("name", sa.Text()),
        sa.column("type", sa.String()),
        sa.column("currency", sa.String()),
    )
    op.bulk_insert(
        accounts,
        [{"code": c, "name": n, "type": t, "currency": "CNY"} for c, n, t in CHART],
    )


def downgrade() -> None:
    op.drop_table("postings")
    op.drop_table("ledger_transactions")
    op.drop_table("accounts")
    for function in ("ledger_check_balanced", "ledger_apply_posting", "ledger_immutable"):
        op.execute(f"DROP FUNCTION {function}()")
