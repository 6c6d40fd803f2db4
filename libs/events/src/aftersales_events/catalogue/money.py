"""Money in events: integer minor units (fen for CNY) and an ISO 4217 currency."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MinorUnits = Annotated[int, Field(ge=0, description="Amount in minor units (fen for CNY).", examples=[12900])]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.", examples=["CNY"])]
