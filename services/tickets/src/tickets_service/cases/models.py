"""The tables of after-sale cases (PROCESSES.md §3): the case, its evidence, its abnormal
refunds (C3B1/C3B2) and the per-order row their cap is checked on."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class CaseKind(StrEnum):
    C = "C"  # §3.1 short or wrong shipment from the warehouse (少发货/错发货)
    K = "K"  # §3.2 courier damage, loss or delay (快递破损/丢件/时效长)
    P = "P"  # §3.3 product quality (产品质量问题)


class CaseState(StrEnum):
    evidence = "evidence"  # C1/K1/P1: accepted, the customer supplies evidence (24 h)
    investigating = "investigating"  # C2 warehouse / K2 logistics group checks
    oa_pending = "oa_pending"  # P2B → P2B1: OA complaint form waits for a supervisor (3 wd)
    inspecting = "inspecting"  # P2B2: QC inspects the returned product (3 wd)
    inspected = "inspected"  # P2B3: the result goes back to the customer (3 wd)
    explaining = "explaining"  # P2A → P2A1: not a quality problem, the agent explains
    explained = "explained"  # P2A1 done: the customer accepts (close) or insists (P2A2)
    negotiating = "negotiating"  # C3: the agent negotiates a remedy
    discount_agreed = "discount_agreed"  # C3B: keep the goods against a discount; C3B1 next (24 h)
    refund_requested = "refund_requested"  # C3B1 done: the supervisor approves (C3B2, 24 h)
    refunded = "refunded"  # C3B2 approved: AbnormalRefundApproved. End (C4/C5 are monthly).
    return_requested = "return_requested"  # C3A / P2A2: handed to the return flow (§6). End.
    closed = "closed"  # closed without a remedy. End.


ENDED = frozenset({CaseState.refunded, CaseState.return_requested, CaseState.closed})


class Liability(StrEnum):
    """Who bears the cost (C2, K2); the values AbnormalRefundApproved carries."""

    shop = "shop"
    warehouse = "warehouse"
    courier = "courier"
    merchant = "merchant"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_in("kind", CaseKind), name="kind_known"),
        CheckConstraint(_in("state", CaseState), name="state_known"),
        CheckConstraint(f"liability IS NULL OR {_in('liability', Liability)}", name="liability_known"),
        CheckConstraint("courier_owes_minor IS NULL OR courier_owes_minor >= 0", name="courier_owes_not_negative"),
        CheckConstraint("freight_minor IS NULL OR freight_minor >= 0", name="freight_not_negative"),
        Index("ix_cases_state_created", "state", "created_at", "id"),
        Index("ix_cases_customer_created", "customer_id", "created_at", "id"),
        Index("ix_cases_order_id", "order_id"),
        # One case per order problem: one open case of a kind per order (§3).
        Index(
            "uq_cases_open_order_kind",
            "order_id",
            "kind",
            unique=True,
            postgresql_where=text("state NOT IN ('refunded', 'return_requested', 'closed')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[CaseKind] = mapped_column(String(1))
    state: Mapped[CaseState] = mapped_column(String(24))
    order_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    merchant_id: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    summary: Mapped[str] = mapped_column(Text)
    # C2 / K2: who bears the cost; K2 names the courier and what it owes.
    liability: Mapped[Liability | None] = mapped_column(String(16))
    finding: Mapped[str | None] = mapped_column(Text)
    courier: Mapped[str | None] = mapped_column(String(64))
    courier_owes_minor: Mapped[int | None] = mapped_column(BigInteger)
    # P2 judgement, P2B1 OA complaint form (the freight the shop advances), P2B2 QC result.
    quality_problem: Mapped[bool | None]
    oa_form_no: Mapped[str | None] = mapped_column(String(64))
    freight_minor: Mapped[int | None] = mapped_column(BigInteger)
    oa_requested_by: Mapped[str | None] = mapped_column(Text)
    oa_approved_by: Mapped[str | None] = mapped_column(Text)
    qc_result: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrderCap(Base):
    """One row per order with a C3B discount: the exchange cost the discounts stay within, and
    what was granted so far. A grant locks this row (FOR UPDATE) and checks and adds in the
    same transaction, so two concurrent grants cannot both pass (§10)."""

    __tablename__ = "case_order_caps"
    __table_args__ = (
        CheckConstraint("exchange_cost_minor >= 0", name="exchange_cost_not_negative"),
        CheckConstraint("granted_minor >= 0 AND granted_minor <= exchange_cost_minor", name="granted_within_cap"),
    )

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    exchange_cost_minor: Mapped[int] = mapped_column(BigInteger)
    granted_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AbnormalRefundState(StrEnum):
    requested = "requested"  # C3B1: created by the agent
    approved = "approved"  # C3B2: approved by a supervisor, AbnormalRefundApproved published
    rejected = "rejected"  # C3B2: refused by a supervisor


class AbnormalRefund(Base):
    """An abnormal-refund order (异常退款订单, C3B1) and its approval (C3B2), with the limit in force."""

    __tablename__ = "case_abnormal_refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(_in("state", AbnormalRefundState), name="state_known"),
        # §10: the approver is never the requester (the use case answers 403 before this).
        CheckConstraint("decided_by IS NULL OR decided_by <> requested_by", name="decider_not_requester"),
        Index("ix_case_abnormal_refunds_case", "case_id", "requested_at"),
        Index("ix_case_abnormal_refunds_order", "order_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    order_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[AbnormalRefundState] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    # §10: the limit in force when it was approved, and what the order had been granted before.
    limit_in_force_minor: Mapped[int | None] = mapped_column(BigInteger)
    granted_before_minor: Mapped[int | None] = mapped_column(BigInteger)


class CaseAttachment(Base):
    """Evidence of a case (C1, K1, P1, QC reports): the bytes are in the attachment store."""

    __tablename__ = "case_attachments"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        Index("ix_case_attachments_case", "case_id", "uploaded_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(Text)
    step: Mapped[str] = mapped_column(String(8))
    uploaded_by: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
