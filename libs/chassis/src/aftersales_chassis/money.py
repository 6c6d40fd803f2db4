"""Money and quantities a request carries, in minor units (fen for CNY) and whole units,
with bounds the database can hold.

Amounts are stored as bigint (up to 9.2e18). Without a bound, an amount of 1e20 reached the
driver and came back as a misleading 409, and two amounts near 2^63 overflowed an account's
maintained balance. One amount is at most 10^12 minor units (10 billion yuan), far above any
order, refund or ledger leg of a shop; an account's balance limit at most 10^17, so a limit
can never sit beyond what a balance can reach.

Each is strict (issue 17 item 10): a JSON integer, nothing else. ``"12900"`` (a string) and
``12900.0`` or ``1.0`` (a number with a fraction part, even a zero one) are refused with a
422 naming the field, not read as integers: a client that sends them has a bug a money API
should show, not hide. The OpenAPI says so on each field (``x-strict-integer`` and the
description).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

MAX_AMOUNT_MINOR = 10**12
MAX_BALANCE_LIMIT_MINOR = 10**17
MAX_QUANTITY = 10_000
STRICT_NOTE = 'A JSON integer: "12900" and 12900.0 are refused.'


class StrictInteger:
    """Marks a strict integer in the JSON schema, so the OpenAPI says what the server does."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema: dict[str, Any] = handler(core_schema)
        schema["x-strict-integer"] = True
        return schema


def _strict(low: int, high: int, description: str) -> Any:
    return Field(strict=True, ge=low, le=high, description=f"{description} {STRICT_NOTE}")


Amount = Annotated[int, _strict(0, MAX_AMOUNT_MINOR, "Minor units (fen for CNY)."), StrictInteger()]
"""A non-negative amount: a price, a refund, freight, goodwill."""

SignedAmount = Annotated[
    int, _strict(-MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR, "Minor units, debit positive."), StrictInteger()
]
"""A ledger leg: debit positive, credit negative."""

BalanceLimit = Annotated[
    int, _strict(-MAX_BALANCE_LIMIT_MINOR, MAX_BALANCE_LIMIT_MINOR, "Minor units."), StrictInteger()
]
"""The lowest or highest signed balance an account may take."""

Quantity = Annotated[int, _strict(1, MAX_QUANTITY, "Units, at least 1."), StrictInteger()]
"""How many units of a line a request orders or returns."""

Count = Annotated[int, _strict(0, MAX_QUANTITY, "Units, 0 or more."), StrictInteger()]
"""How many units were found (received, damaged): 0 is a fact."""
