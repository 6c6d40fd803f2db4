"""What the after-sale cases API takes and gives (PROCESSES.md §3)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aftersales_chassis import Amount

from ..flags.schemas import CustomerFlagOut
from .models import AbnormalRefundState, CaseKind, CaseState, Liability

Text500 = Annotated[str, Field(min_length=1, max_length=500)]
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
# Money is an exact integer of minor units: "10" or 10.0 are refused, not coerced (§10).
ExactAmount = Annotated[Amount, Field(strict=True)]
PositiveAmount = Annotated[ExactAmount, Field(gt=0)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseIn(_In):
    """C1 / K1 / P1: the agent accepts one case per order problem. What the case needs about the
    order is given here (tickets keeps no order read model): the order, its customer, its merchant."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "C",
                    "order_id": "TB-20261123-0001",
                    "customer_id": "C-42",
                    "merchant_id": "M-001",
                    "summary": "Ordered two tins of Longjing, one arrived",
                }
            ]
        },
    )
    kind: CaseKind = Field(description="C short/wrong shipment (§3.1), K courier (§3.2), P product quality (§3.3).")
    order_id: Ident
    customer_id: Ident = Field(description="The customer the order belongs to: who may see the case.")
    merchant_id: Ident | None = None
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    summary: Text500


class NoteIn(_In):
    note: str | None = Field(default=None, max_length=500, examples=["photos received"])


class ReasonIn(_In):
    reason: Text500 = Field(examples=["the customer is satisfied with the explanation"])


class WarehouseFindingIn(_In):
    """C2: the warehouse's finding. Unable to prove it shipped right: liability = warehouse."""

    shipped_right_proven: bool = Field(description="The warehouse proved what it shipped (weights, video).")
    finding: Text500 = Field(examples=["packing video shows one tin only"])


class LiabilityIn(_In):
    """K2: the logistics group's finding with the courier company."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "liability": "courier",
                    "courier": "SF",
                    "courier_owes_minor": 6450,
                    "finding": "SF confirmed the parcel was crushed in transit",
                }
            ]
        },
    )
    liability: Literal[Liability.courier, Liability.warehouse, Liability.shop]
    courier: Ident | None = Field(default=None, description="The courier company (required when it is liable).")
    courier_owes_minor: PositiveAmount | None = Field(
        default=None, description="What the courier owes (required when it is liable): a receivable in finance."
    )
    finding: Text500


class JudgementIn(_In):
    """P2: quality problem (P2B, with the OA complaint form of P2B1) or not (P2A)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "quality_problem": True,
                    "note": "the glaze is cracked inside",
                    "oa_form_no": "OA-2026-1123",
                    "freight_minor": 1200,
                }
            ]
        },
    )
    quality_problem: bool
    note: Text500
    oa_form_no: Ident | None = Field(default=None, description="P2B1: the OA complaint form (quality problem only).")
    freight_minor: ExactAmount | None = Field(
        default=None, description="P2B1: the return freight the shop advances (quality problem only)."
    )

    @model_validator(mode="after")
    def _oa_form_with_quality_problem(self) -> Self:
        if self.quality_problem and (self.oa_form_no is None or self.freight_minor is None):
            raise ValueError("a quality problem (P2B) needs the OA form number and the freight the shop advances")
        if not self.quality_problem and (self.oa_form_no is not None or self.freight_minor is not None):
            raise ValueError("an OA form and advanced freight belong to a quality problem (P2B) only")
        return self


class InspectionIn(_In):
    """P2B2: QC's result."""

    defective: bool
    result: Text500 = Field(examples=["glaze crack from firing: a production defect"])


class RemedyIn(_In):
    """C3: the remedy agreed with the customer: return/exchange (C3A) or a discount (C3B)."""

    remedy: Literal["return", "discount"]
    note: Text500


class AbnormalRefundIn(_In):
    """C3B1: the abnormal-refund order for the agreed discount; never above the exchange cost."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"amount_minor": 3000, "exchange_cost_minor": 5000, "reason": "one tin missing, kept"}]
        },
    )
    amount_minor: PositiveAmount
    exchange_cost_minor: ExactAmount = Field(
        description="What exchanging the goods would cost the shop: the cap on the order's discounts (§10). "
        "Fixed for the order by its first abnormal refund."
    )
    reason: Text500


class DecisionIn(_In):
    note: str | None = Field(default=None, max_length=500)


class RejectionIn(_In):
    reason: Text500


class AbnormalRefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    order_id: str
    state: AbnormalRefundState
    amount_minor: int
    currency: str
    reason: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    limit_in_force_minor: int | None = Field(description="§10: the cap in force when it was approved.")
    granted_before_minor: int | None = Field(description="What the order had been granted before this one.")


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: CaseKind
    state: CaseState
    order_id: str
    customer_id: str
    merchant_id: str | None
    currency: str
    summary: str
    liability: Liability | None
    finding: str | None
    courier: str | None
    courier_owes_minor: int | None
    quality_problem: bool | None
    oa_form_no: str | None
    freight_minor: int | None
    oa_requested_by: str | None
    oa_approved_by: str | None
    qc_result: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str] = Field(default_factory=list, description="What the current state allows.")
    customer_flags: list[CustomerFlagOut] = Field(
        default_factory=list,
        description="E3 (reviews): the customer was flagged for a malicious review; handle with care. "
        "Shown on reads (`GET /cases`, `/{id}`, staff only).",
    )


class CaseStatusOut(BaseModel):
    """What the customer sees of their case: where it is, what comes next, by when."""

    id: uuid.UUID
    kind: CaseKind
    order_id: str
    state: CaseState
    ended: bool
    next_step: str | None = Field(description="The step id (PROCESSES.md) that comes next; null once ended.")
    next_step_by: str | None = Field(description="Who takes it: agent, warehouse, logistics, qc, supervisor.")
    next_step_description: str | None
    next_step_due_at: datetime | None = Field(description="When that step is due, if it has a clock.")
    cycle_due_at: datetime | None = Field(description="The case's 30 working-day cycle (§3) ends then.")
    updated_at: datetime
    return_step: str | None = Field(
        default=None,
        description="C3A / P2A2: the latest §6 step of the return the case handed over, as returns reported it "
        "(T1A2 filed or withdrawn, T1A3 approved or rejected, T1A5 received, T2A refund approved, T1B2 paid, ...).",
    )
    return_note: str | None = Field(default=None, description="What happened at that step.")
    return_step_at: datetime | None = Field(default=None, description="When tickets learnt of it.")


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    content_type: str = Field(description="As sniffed from the bytes, never the file name.")
    size: int
    sha256: str
    filename: str | None
    step: str = Field(description="The step the case was at when it was uploaded (C1, K1, P1, P2B2, ...).")
    uploaded_by: str
    uploaded_at: datetime
