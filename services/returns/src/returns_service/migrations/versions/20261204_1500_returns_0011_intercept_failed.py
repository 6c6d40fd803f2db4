"""A cancellation of a shipped order whose interception failed (the parcel was delivered):
the state ``intercept_failed`` (issue 17 item 4). Finance learns it from
``OrderInterceptFailed`` and settles the order again.

Revision ID: returns_0011
Revises: returns_0010
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "returns_0011"
down_revision: str | None = "returns_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "'closed_unpaid', 'awaiting_warehouse', 'confirmed', 'intercept_requested', 'intercepted', 'refunded'"
AFTER = BEFORE.replace("'intercepted', ", "'intercepted', 'intercept_failed', ")


def upgrade() -> None:
    op.drop_constraint("ck_order_cancellations_state_known", "order_cancellations", type_="check")
    op.create_check_constraint("ck_order_cancellations_state_known", "order_cancellations", f"state IN ({AFTER})")


def downgrade() -> None:
    op.drop_constraint("ck_order_cancellations_state_known", "order_cancellations", type_="check")
    op.create_check_constraint("ck_order_cancellations_state_known", "order_cancellations", f"state IN ({BEFORE})")
