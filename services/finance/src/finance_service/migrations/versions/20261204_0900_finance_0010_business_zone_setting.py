"""The default accounting day in the business calendar's zone, not a zone written here.

``ledger_default_accounting_date`` (finance_0006) gives a transaction written without its
``accounting_date`` (raw SQL; the service always gives one, computed in the calendar's
zone) the effective day in ``'Asia/Shanghai'``. The zone is the business calendar's, and
the calendar is the service's (the SLA extension's provider), not the database's: so the
function now reads it from the session setting ``aftersales.business_zone``, which the
finance service gives each of its connections from the calendar it runs on
(``finance_service.business_calendar.BusinessZoneExtension``, once per connection, no
statement added to a unit of work). A session without the setting (psql, a script) gets
``'Asia/Shanghai'``, the default calendar's zone, as before; it can ``SET
aftersales.business_zone`` first.

Not chosen: a column default filled by the service (the service already fills the column
itself, so only writers that do not would use it, and they would not fill a zone either);
a per-transaction ``set_config`` (a statement more in every unit of work, the booking hot
path included, for a default the service never uses).

The downgrade puts finance_0006's function back, read from that migration.

Revision ID: finance_0010
Revises: finance_0009
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

from alembic import op

from aftersales_chassis.migration_history import earlier_migration, or_replace

revision: str = "finance_0010"
down_revision: str | None = "finance_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = earlier_migration(__file__, "20261127_0900_finance_0006_set_based_checks.py")

DEFAULT_ACCOUNTING_DATE = """
CREATE OR REPLACE FUNCTION ledger_default_accounting_date() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Writers that do not say (raw SQL) get the effective day in the business zone: the
  -- session's (the service sets it from its calendar), else the default calendar's.
  -- An empty value is a setting defined in the session and reset: no zone either.
  NEW.accounting_date := (NEW.effective_at AT TIME ZONE
    coalesce(nullif(current_setting('aftersales.business_zone', true), ''), 'Asia/Shanghai'))::date;
  RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.execute(DEFAULT_ACCOUNTING_DATE)


def downgrade() -> None:
    op.execute(or_replace(CHECKS.DEFAULT_ACCOUNTING_DATE))
