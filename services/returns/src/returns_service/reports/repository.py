"""Report queries. Day and month buckets are taken in the business calendar's zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..orders.models import Order, OrderLine
from ..returns.models import ReturnLine, ReturnRequest, ReturnState

COUNTED = (ReturnState.rejected, ReturnState.cancelled)  # not counted as returns
DETAIL_COLUMNS = (
    "return_id",
    "order_id",
    "filed_at",
    "state",
    "sku",
    "quantity",
    "received_quantity",
    "unit_price_minor",
    "line_reason",
    "refund_amount_minor",
    "refund_method",
    "refund_issued",
    "currency",
)
"""The keys of a :func:`detail_rows` row, in order: the columns of the detail CSVs."""


def bounds(first: date, last_exclusive: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(), tzinfo=zone), datetime.combine(last_exclusive, time(), tzinfo=zone)


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return bounds(month, following, zone)


async def detail_rows(session: AsyncSession, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """One row per returned line of the returns filed in [start, end)."""
    rows = await session.execute(
        select(ReturnRequest, ReturnLine)
        .join(ReturnLine, ReturnLine.return_id == ReturnRequest.id)
        .where(ReturnRequest.created_at >= start, ReturnRequest.created_at < end)
        .order_by(ReturnRequest.created_at, ReturnRequest.id, ReturnLine.line_no)
    )
    return [
        {
            "return_id": str(r.id),
            "order_id": r.order_id,
            "filed_at": r.created_at.isoformat(),
            "state": r.state,
            "sku": line.sku,
            "quantity": line.quantity,
            "received_quantity": line.received_quantity,
            "unit_price_minor": line.unit_price_minor,
            "line_reason": line.reason,
            "refund_amount_minor": r.refund_amount_minor,
            "refund_method": r.refund_method,
            "refund_issued": r.refund_issued_at is not None,
            "currency": r.currency,
        }
        for r, line in rows
    ]


async def monthly_summary(session: AsyncSession, start: datetime, end: datetime) -> dict[str, Any]:
    filed = (ReturnRequest.created_at >= start) & (ReturnRequest.created_at < end)
    by_state = dict(
        (
            await session.execute(select(ReturnRequest.state, func.count()).where(filed).group_by(ReturnRequest.state))
        ).all()
    )
    refunded = (ReturnRequest.refund_amount_minor.is_not(None)) & filed
    totals = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(ReturnRequest.refund_amount_minor), 0),
                func.coalesce(func.sum(ReturnRequest.refund_freight_minor), 0),
                func.coalesce(func.sum(ReturnRequest.goodwill_minor), 0),
                func.count().filter(ReturnRequest.refund_issued_at.is_not(None)),
            ).where(refunded)
        )
    ).one()
    by_reason = dict(
        (
            await session.execute(
                select(ReturnLine.reason, func.sum(ReturnLine.quantity))
                .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
                .where(filed, ReturnRequest.state.not_in(COUNTED))
                .group_by(ReturnLine.reason)
            )
        ).all()
    )
    return {
        "returns_filed": sum(by_state.values()),
        "by_state": by_state,
        "refunds": totals[0],
        "refunded_minor": int(totals[1] or 0),  # coalesced in SQL; `or 0` only for the type
        "refunded_freight_minor": int(totals[2] or 0),
        "goodwill_minor": int(totals[3] or 0),
        "refunds_issued": totals[4],
        "units_by_reason": {k: int(v) for k, v in by_reason.items()},
    }


async def units_sold(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    """Units shipped in [start, end), per sku."""
    rows = await session.execute(
        select(OrderLine.sku, func.sum(OrderLine.quantity))
        .join(Order, Order.order_id == OrderLine.order_id)
        .where(Order.shipped_at >= start, Order.shipped_at < end)
        .group_by(OrderLine.sku)
    )
    return {sku: int(n) for sku, n in rows}


async def units_returned(session: AsyncSession, start: datetime, end: datetime, by: str) -> dict[str, int]:
    """Units in returns filed in [start, end) (not rejected or withdrawn), per sku or per reason."""
    key = ReturnLine.sku if by == "product" else ReturnLine.reason
    rows = await session.execute(
        select(key, func.sum(ReturnLine.quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .where(ReturnRequest.created_at >= start, ReturnRequest.created_at < end, ReturnRequest.state.not_in(COUNTED))
        .group_by(key)
    )
    return {str(k): int(n) for k, n in rows}
