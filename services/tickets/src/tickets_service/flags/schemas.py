"""How a customer flag shows on a complaint or case (staff only)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CustomerFlagOut(BaseModel):
    """E3: reviews confirmed a malicious review by this customer and reported it; handle with care."""

    model_config = ConfigDict(from_attributes=True)
    reason: str = Field(description="The reason reported to the marketplace (E2), e.g. `extortion`.")
    note: str
    flagged_at: datetime
    flagged_by: str = Field(description="Who flagged the customer in reviews (E3).")
    marketplace: str
    review_id: str = Field(description="The marketplace's id of the malicious review.")
    case_id: uuid.UUID = Field(description="Reviews' case that flagged the customer.")
    report_id: uuid.UUID = Field(description="Reviews' E2 report to the marketplace.")
    order_id: str | None
