"""Settlement documents frozen in the database (ADR 0008): a settlement moves only
draft → approved → booked, approval and booking change nothing but their own columns,
an approved or booked settlement is never edited or deleted, nor are its lines or the
claims on the orders and deposits it settled.

Revision ID: finance_0005
Revises: finance_0004
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "finance_0005"
down_revision: str | None = "finance_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every message starts with "settlement <id> ": the service maps those to 409/422.
SETTLEMENT_GUARD = """
CREATE FUNCTION settlement_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'draft' THEN
      RAISE EXCEPTION 'settlement % starts as a draft, not %', NEW.id, NEW.status USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'settlement % is %: it is frozen', OLD.id, OLD.status USING ERRCODE = '23514';
    END IF;
    RETURN OLD;
  END IF;
  IF NEW IS NOT DISTINCT FROM OLD OR (OLD.status = 'draft' AND NEW.status = 'draft') THEN
    RETURN NEW;  -- a draft is recomputed in place (same id, new amounts and lines)
  END IF;
  IF OLD.status = 'draft' AND NEW.status = 'approved' THEN
    -- Compared as JSON less the approval's columns: a column added later is frozen too.
    IF to_jsonb(NEW) - ARRAY['status', 'approved_by', 'approved_at']
       IS DISTINCT FROM to_jsonb(OLD) - ARRAY['status', 'approved_by', 'approved_at'] THEN
      RAISE EXCEPTION 'settlement % is approved as drafted: approval sets only status, approved_by and approved_at',
        NEW.id USING ERRCODE = '23514';
    END IF;
    IF NEW.approved_by IS NULL OR NEW.approved_at IS NULL THEN
      RAISE EXCEPTION 'settlement % is approved with approved_by and approved_at', NEW.id USING ERRCODE = '23514';
    END IF;
    IF NEW.approved_by = NEW.created_by THEN
      RAISE EXCEPTION 'settlement % is approved by someone other than its creator', NEW.id USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.status = 'approved' AND NEW.status = 'booked' THEN
    IF to_jsonb(NEW) - ARRAY['status', 'booked_by', 'booked_at', 'transaction_id']
       IS DISTINCT FROM to_jsonb(OLD) - ARRAY['status', 'booked_by', 'booked_at', 'transaction_id'] THEN
      RAISE EXCEPTION
        'settlement % is booked as approved: booking sets only status, booked_by, booked_at and transaction_id',
        NEW.id USING ERRCODE = '23514';
    END IF;
    IF NEW.booked_by IS NULL OR NEW.booked_at IS NULL OR NEW.transaction_id IS NULL THEN
      RAISE EXCEPTION 'settlement % is booked with booked_by, booked_at and transaction_id', NEW.id
        USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.status = 'draft' THEN
    RAISE EXCEPTION 'settlement % is a draft: it is approved before it is %', OLD.id, NEW.status
      USING ERRCODE = '23514';
  END IF;
  RAISE EXCEPTION 'settlement % is %: it is frozen', OLD.id, OLD.status USING ERRCODE = '23514';
END $$;
"""

# Statement-level (a draft's lines are replaced in one DELETE and a few INSERTs): the
# parents are locked FOR SHARE in id order, so an approval in flight is waited for and
# then seen; a line of a settlement deleted in the same statement (the cascade) passes.
LINES_FROZEN = """
CREATE FUNCTION settlement_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids uuid[]; frozen record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT settlement_id) INTO ids FROM new_lines;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT settlement_id) INTO ids FROM old_lines;
  ELSE
    SELECT array_agg(DISTINCT settlement_id) INTO ids
      FROM (SELECT settlement_id FROM old_lines UNION SELECT settlement_id FROM new_lines) changed;
  END IF;
  PERFORM 1 FROM settlements WHERE id = ANY(ids) ORDER BY id FOR SHARE;
  SELECT id, status INTO frozen FROM settlements WHERE id = ANY(ids) AND status <> 'draft' ORDER BY id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'settlement % is %: it is frozen, its lines too', frozen.id, frozen.status
      USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
"""

# An order or deposit claimed by an approved settlement stays claimed by it (else it would
# be paid out twice); the read model's other columns keep taking facts from events.
CLAIM_FROZEN = """
CREATE FUNCTION settlement_claim_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE held text;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.settlement_id IS NOT DISTINCT FROM OLD.settlement_id THEN
    RETURN NEW;
  END IF;
  IF OLD.settlement_id IS NOT NULL THEN
    SELECT status INTO held FROM settlements WHERE id = OLD.settlement_id;
    IF held <> 'draft' THEN
      RAISE EXCEPTION 'settlement % is %: it is frozen, so are its claims on % rows', OLD.settlement_id, held,
        TG_TABLE_NAME USING ERRCODE = '23514';
    END IF;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.settlement_id IS NOT NULL THEN
    SELECT status INTO held FROM settlements WHERE id = NEW.settlement_id;
    IF held <> 'draft' THEN
      RAISE EXCEPTION 'settlement % is %: it is frozen, it claims no more % rows', NEW.settlement_id, held,
        TG_TABLE_NAME USING ERRCODE = '23514';
    END IF;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
"""

NO_TRUNCATE = """
CREATE FUNCTION settlement_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM settlements WHERE status <> 'draft') THEN
    RAISE EXCEPTION '% is not truncated: approved and booked settlements are frozen', TG_TABLE_NAME
      USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
"""

TRIGGERS = [  # (name, table, the rest of CREATE TRIGGER after the name)
    (
        "settlements_frozen",
        "settlements",
        "BEFORE INSERT OR UPDATE OR DELETE ON settlements FOR EACH ROW EXECUTE FUNCTION settlement_guard()",
    ),
    (
        "settlement_lines_frozen_insert",
        "settlement_lines",
        "AFTER INSERT ON settlement_lines REFERENCING NEW TABLE AS new_lines"
        " FOR EACH STATEMENT EXECUTE FUNCTION settlement_lines_frozen()",
    ),
    (
        "settlement_lines_frozen_update",
        "settlement_lines",
        "AFTER UPDATE ON settlement_lines REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines"
        " FOR EACH STATEMENT EXECUTE FUNCTION settlement_lines_frozen()",
    ),
    (
        "settlement_lines_frozen_delete",
        "settlement_lines",
        "AFTER DELETE ON settlement_lines REFERENCING OLD TABLE AS old_lines"
        " FOR EACH STATEMENT EXECUTE FUNCTION settlement_lines_frozen()",
    ),
    # OF settlement_id: the consumers' upserts of order facts never fire these.
    *(
        (
            f"{table}_claim_frozen",
            table,
            f"BEFORE UPDATE OF settlement_id OR DELETE ON {table} FOR EACH ROW"
            " EXECUTE FUNCTION settlement_claim_frozen()",
        )
        for table in ("settlement_orders", "settlement_deposits")
    ),
    *(
        (
            f"{table}_no_truncate",
            table,
            f"BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION settlement_no_truncate()",
        )
        for table in ("settlements", "settlement_lines", "settlement_orders", "settlement_deposits")
    ),
]
FUNCTIONS = {
    "settlement_guard": SETTLEMENT_GUARD,
    "settlement_lines_frozen": LINES_FROZEN,
    "settlement_claim_frozen": CLAIM_FROZEN,
    "settlement_no_truncate": NO_TRUNCATE,
}


def upgrade() -> None:
    for body in FUNCTIONS.values():
        op.execute(body)
    for name, _, definition in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {definition}")


def downgrade() -> None:
    for name, table, _ in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}()")
