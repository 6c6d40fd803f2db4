"""What the review-call routes answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ReviewCallAwaitingPhoneOut(BaseModel):
    """A W1 call reviews asked for with no number known yet: it opens when the order's number arrives."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "case_id": "0b9c3f5e-2f7a-4c39-9d0a-3b1e2f4a5c6d",
                    "order_id": "TB-20261204-0042",
                    "customer_id": "C-42",
                    "reviewed_at": "2026-12-04T02:10:00Z",
                    "due_at": "2026-12-05T02:10:00Z",
                    "parked_at": "2026-12-04T02:11:03Z",
                }
            ]
        },
    )
    case_id: uuid.UUID
    order_id: str | None
    customer_id: str | None
    reviewed_at: datetime
    due_at: datetime
    parked_at: datetime
