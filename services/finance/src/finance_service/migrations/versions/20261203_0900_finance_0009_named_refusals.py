"""The triggers' refusals the services translate carry a constraint name (and their SQLSTATE,
as before), so the service keys on ``(sqlstate, constraint)``, not on the message text:

- ``settlement_four_eyes``: a draft approved by its creator (422 ``settlement.four-eyes``);
- ``settlement_status_flow``: a settlement moved out of draft → approved → booked, or
  approved or booked without the columns those steps set (409);
- ``settlement_frozen``: an approved or booked settlement, its lines or its claims on
  orders and deposits changed or deleted (409);
- ``ledger_period_open``: a posting dated in a closed month (409).

The functions are those finance_0005 and finance_0006 wrote, read from there, with a
``CONSTRAINT = ...`` added to each ``RAISE``: the rules and the messages do not change.
The downgrade puts the functions back as they were.

Revision ID: finance_0009
Revises: finance_0008
Create Date: 2026-12-03 09:00:00
"""

import re
from collections.abc import Sequence

from alembic import op

from aftersales_chassis.migration_history import earlier_migration, or_replace

revision: str = "finance_0009"
down_revision: str | None = "finance_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FREEZE = earlier_migration(__file__, "20261126_0900_finance_0005_settlement_freeze.py")
CHECKS = earlier_migration(__file__, "20261127_0900_finance_0006_set_based_checks.py")
FUNCTIONS = [FREEZE.SETTLEMENT_GUARD, FREEZE.LINES_FROZEN, FREEZE.CLAIM_FROZEN, CHECKS.CHECK_PERIODS]

# Each refusal, by how its message starts, and the constraint it names from now on.
CONSTRAINTS = [
    ("settlement % is approved by someone other than its creator", "settlement_four_eyes"),
    ("settlement % starts as a draft", "settlement_status_flow"),
    ("settlement % is a draft: it is approved before", "settlement_status_flow"),
    ("settlement % is approved with approved_by and approved_at", "settlement_status_flow"),
    ("settlement % is booked with booked_by", "settlement_status_flow"),
    ("settlement % is approved as drafted", "settlement_frozen"),
    ("settlement % is booked as approved", "settlement_frozen"),
    ("settlement % is %: it is frozen", "settlement_frozen"),  # the settlement itself, its lines, its claims
    ("period % is closed", "ledger_period_open"),
]
RAISE = re.compile(r"RAISE EXCEPTION\s+'(?P<message>[^']*)'[^;]*?USING ERRCODE = '23514'")


def _constraint(raised: re.Match[str]) -> str:
    for start, constraint in CONSTRAINTS:
        if raised["message"].startswith(start):
            return f"{raised[0]}, CONSTRAINT = '{constraint}'"
    raise ValueError(f"no constraint named for the refusal {raised['message']!r}")


def named(function: str) -> str:
    """The function (as CREATE OR REPLACE) with every RAISE naming its constraint."""
    replaced, count = RAISE.subn(_constraint, or_replace(function))
    if count != function.count("RAISE EXCEPTION"):
        raise ValueError("a RAISE of the function was not given a constraint")
    return replaced


def upgrade() -> None:
    for function in FUNCTIONS:
        op.execute(named(function))


def downgrade() -> None:
    for function in FUNCTIONS:
        op.execute(or_replace(function))
