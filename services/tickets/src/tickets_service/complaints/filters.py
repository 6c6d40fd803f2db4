"""What a complaint list asks for (``GET /complaints``): every filter is optional, all given
ones apply together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintFilters:
    state: str | None = None
    channel: str | None = None
    priority: str | None = None
    owner: str | None = None
    order_id: str | None = None
    customer_id: str | None = None
    merchant_id: str | None = None
    major: bool | None = None
    received_from: datetime | None = None
    """Received at or after."""
    received_to: datetime | None = None
    """Received before."""
