"""What a merchant's settlement for a month contains: a pure function of finance's read
models, so a draft can be recomputed and an approval can check its draft is current."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .models import SettlementDeposit, SettlementOrder

# Reasons, in the order they are checked: the first that applies explains the line.
CANCELLED = "cancelled"
CANCELLATION_PENDING = "cancellation_pending"
OPEN_COMPLAINT = "open_complaint"
OTHER_CURRENCY = "other_currency"
ORDER_FORM_MISSING = "order_form_missing"
DEPOSIT_OFFSET = "deposit_offset"
DEPOSIT_CARRIED_FORWARD = "deposit_carried_forward"


@dataclass(frozen=True)
class PlannedLine:
    kind: str  # included | excluded | withheld | deposit
    order_id: str | None
    deposit_id: str | None
    reason: str | None
    amount_minor: int


@dataclass(frozen=True)
class Plan:
    lines: list[PlannedLine]
    gross_minor: int
    withheld_minor: int
    deposits_minor: int
    net_minor: int

    def signature(self) -> set[tuple[str, str | None, str | None, str | None, int]]:
        return {(x.kind, x.order_id, x.deposit_id, x.reason, x.amount_minor) for x in self.lines}


def _exclusion(order: SettlementOrder, open_complaint: bool, pending: bool, currency: str) -> str | None:
    if order.cancelled_at is not None:
        return CANCELLED
    if pending or order.cancellation_pending_at is not None:
        return CANCELLATION_PENDING
    if open_complaint:
        return OPEN_COMPLAINT
    if order.currency != currency:
        return OTHER_CURRENCY
    return None


def plan_settlement(
    orders: list[tuple[SettlementOrder, bool, bool]],
    deposits: list[SettlementDeposit],
    *,
    owed: Mapping[str, int],
    currency: str,
    month_start: datetime,
) -> Plan:
    """``orders``: the merchant's paid, unsettled orders up to the month's end, each with
    whether it has an open complaint and whether a cancellation is pending (requested or an
    intercept under way, not yet resolved). ``owed``: what the ledger says the merchant is owed
    per order (its merchant_payables sub-ledger: paid, less refunds of its goods and the
    abnormal refunds charged to it), which is what an order settles at, never what was
    paid. A paid order cancelled before the month began was explained by an earlier run
    and is left out."""
    lines: list[PlannedLine] = []
    included = withheld = 0
    for order, open_complaint, pending in orders:
        amount = owed.get(order.order_id, 0)
        reason = _exclusion(order, open_complaint, pending, currency)
        if reason == CANCELLED and order.cancelled_at and order.cancelled_at < month_start:
            continue
        if reason is not None:
            lines.append(PlannedLine("excluded", order.order_id, None, reason, amount))
        elif order.order_form_missing:
            lines.append(PlannedLine("withheld", order.order_id, None, ORDER_FORM_MISSING, amount))
            withheld += amount
        else:
            lines.append(PlannedLine("included", order.order_id, None, None, amount))
            included += amount
    offset = 0
    for deposit in deposits:
        fits = deposit.currency == currency and offset + deposit.amount_minor <= included
        reason = DEPOSIT_OFFSET if fits else DEPOSIT_CARRIED_FORWARD
        lines.append(PlannedLine("deposit", deposit.order_id, deposit.deposit_id, reason, deposit.amount_minor))
        offset += deposit.amount_minor if fits else 0
    return Plan(
        lines=lines,
        gross_minor=included + withheld,
        withheld_minor=withheld,
        deposits_minor=offset,
        net_minor=included - offset,
    )
