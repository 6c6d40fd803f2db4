"""The cancellation's state machine (PROCESSES.md §6.1, §6.4): unpaid orders close, paid
unshipped ones wait for the warehouse (T1B1), shipped ones are intercepted; the refund
(T1B2) only once the cancellation is confirmed or the parcel is back."""

from __future__ import annotations

from typing import Any

from aftersales_chassis.roles import STAFF, WAREHOUSE
from aftersales_workflow import NEW, Workflow, on

from ..returns.state import REFUND_APPROVER
from ..sla import POLICIES
from .models import CancellationState as S


def _order_of(record: Any) -> str:
    # Keyed by order: finance reads an order's cancellation and refund events in order.
    return str(record.order_id)


CANCELLATION_FLOW = Workflow(
    "cancellation",
    S,
    [
        on("open", "§6.4", [NEW], S.closed_unpaid, by=STAFF, outcome="unpaid"),
        on("open", "T1B", [NEW], S.awaiting_warehouse, by=STAFF, outcome="not-shipped", starts=["T1B1"]),
        on("open", "§6.4", [NEW], S.intercept_requested, by=STAFF, outcome="shipped"),
        on("confirm", "T1B1", [S.awaiting_warehouse], S.confirmed, by=WAREHOUSE, stops=["T1B1"], starts=["T1B2"]),
        on("intercepted", "§6.4", [S.intercept_requested], S.intercepted, by=WAREHOUSE, starts=["T1B2"]),
        on("intercept-failed", "§6.4", [S.intercept_requested], S.intercept_failed, by=WAREHOUSE),
        on(
            "refund",
            "T1B2",
            [S.confirmed, S.intercepted],
            S.refunded,
            by=REFUND_APPROVER,
            stops=["T1B2"],
            rule="T1B2.refund-after-cancellation-confirmed",
        ),
    ],
    policies=POLICIES,
    subject=_order_of,
)
