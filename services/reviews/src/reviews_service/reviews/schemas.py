"""What the reviews and cases API takes and gives."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from aftersales_chassis.dates import Instant
from aftersales_chassis.problem_handlers import PROBLEM_BASE

from .models import CasePath

Stars = Field(ge=1, le=5)


class DsrIn(BaseModel):
    """The detailed seller ratings a marketplace asks with a review (Taobao's DSR: 描述相符,
    服务态度, 物流服务), 1 to 5 each."""

    model_config = ConfigDict(extra="forbid")
    description: int = Stars
    service: int = Stars
    logistics: int = Stars


class ReviewIn(BaseModel):
    """A review as a marketplace (re)sends it. Idempotent on (marketplace, review_id, updated_at)."""

    model_config = ConfigDict(extra="forbid")
    marketplace: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$", examples=["taobao"])
    review_id: str = Field(min_length=1, max_length=128, examples=["TB-RV-88001"])
    order_id: str | None = Field(default=None, min_length=1, max_length=64, examples=["TB-20261123-0001"])
    customer_id: str | None = Field(default=None, min_length=1, max_length=64, examples=["C-42"])
    sku: str | None = Field(default=None, min_length=1, max_length=64, examples=["SKU-TEA-250G"])
    stars: int = Field(ge=1, le=5, description="4–5 good, 3 neutral (中评), 1–2 negative (差评).", examples=[2])
    text: str = Field(default="", max_length=5000, examples=["The tea arrived crushed"])
    dsr: DsrIn | None = None
    reviewed_at: Instant = Field(description="When the customer wrote the review (the marketplace's time).")
    updated_at: Instant = Field(description="The marketplace's time of this version (equal to reviewed_at at first).")

    @model_validator(mode="after")
    def _updated_not_before_reviewed(self) -> ReviewIn:
        if self.updated_at < self.reviewed_at:
            raise ValueError("updated_at may not be before reviewed_at")
        return self


# Each review of a page is read on its own (a bad one is refused alone), so the page takes them
# as they come and documents them as ReviewIn.
PageItem = Annotated[Any, WithJsonSchema({"$ref": "#/components/schemas/ReviewIn"})]


class ReviewBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reviews: list[PageItem] = Field(
        min_length=1, max_length=100, description="A page of reviews (each as `POST /reviews` takes it), up to 100."
    )


class IntakeOut(BaseModel):
    outcome: Literal["applied", "duplicate", "stale"] = Field(
        description="`duplicate`: this version was taken in before; `stale`: a newer version is already applied."
    )
    review: uuid.UUID
    rating: str
    case_id: uuid.UUID | None = None
    case_state: str | None = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=2000, examples=["Explained the tea's storage; customer satisfied"])


class CallIn(NoteIn):
    finding: CasePath = Field(
        description="What the call found: misunderstanding (W1), quality (Z1) or malicious (E1).",
        examples=["quality"],
    )


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    review_pk: uuid.UUID
    marketplace: str
    review_id: str
    order_id: str | None
    customer_id: str | None
    phone: str | None
    rating: str
    state: str
    path: str | None
    bad_since: datetime
    call_due_at: datetime
    called_at: datetime | None
    called_by: str | None
    amend_requests: int
    amend_window_closes_at: datetime | None
    amend_max_requests: int | None
    updates_while_bad: int
    outcome: str | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    allowed_actions: list[str] = Field(default_factory=list, description="What the current state allows.")


NUL_MESSAGE = "must not contain the NUL character (\\u0000)"


class FieldError(BaseModel):
    field: str = Field(examples=["body.reviews[2].stars"])
    message: str = Field(examples=["Input should be less than or equal to 5"])


class ItemProblem(BaseModel):
    """Why one review of a page was refused (RFC 9457's fields, for the item alone)."""

    type: str
    title: str
    status: int = 422
    detail: str
    rule: str | None = Field(default=None, description="The business rule that refused it, if one did.")
    index: int = Field(description="The review's position in the page.")
    field: str = Field(description="Its first refused field.", examples=["body.reviews[2].stars"])
    errors: list[FieldError]

    @classmethod
    def refused(cls, rule: str | None, index: int, errors: list[FieldError]) -> ItemProblem:
        fields = ", ".join(sorted({e.field for e in errors}))
        if rule is None:
            kind, title, detail = "validation-error", "Review validation failed", f"Invalid fields: {fields}"
        else:
            kind, title, detail = "rule-violation", "Business rule violated", f"{errors[0].message} ({fields})"
        return cls(
            type=PROBLEM_BASE + kind, title=title, detail=detail, rule=rule, index=index, field=errors[0].field,
            errors=errors,
        )  # fmt: skip


class IntakeItemOut(BaseModel):
    """One review of a page: ``rejected`` with its problem, or as `POST /reviews` answers it."""

    index: int = Field(description="The review's position in the page.")
    outcome: Literal["applied", "duplicate", "stale", "rejected"]
    review: uuid.UUID | None = None
    rating: str | None = None
    case_id: uuid.UUID | None = None
    case_state: str | None = None
    problem: ItemProblem | None = Field(default=None, description="Why a `rejected` review was refused.")


class IntakeBatchOut(BaseModel):
    results: list[IntakeItemOut] = Field(description="One outcome per review, in the page's order.")
