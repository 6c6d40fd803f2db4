"""Money a request carries, in minor units (fen for CNY), with bounds the database can hold.

Amounts are stored as bigint (up to 9.2e18). Without a bound, an amount of 1e20 reached the
driver and came back as a misleading 409, and two amounts near 2^63 overflowed an account's
maintained balance. One amount is at most 10^12 minor units (10 billion yuan), far above any
order, refund or ledger leg of a shop; an account's balance limit at most 10^17, so a limit
can never sit beyond what a balance can reach.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_AMOUNT_MINOR = 10**12
MAX_BALANCE_LIMIT_MINOR = 10**17

Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT_MINOR, description="Minor units (fen for CNY).")]
"""A non-negative amount: a price, a refund, freight, goodwill."""

SignedAmount = Annotated[int, Field(ge=-MAX_AMOUNT_MINOR, le=MAX_AMOUNT_MINOR)]
"""A ledger leg: debit positive, credit negative."""

BalanceLimit = Annotated[int, Field(ge=-MAX_BALANCE_LIMIT_MINOR, le=MAX_BALANCE_LIMIT_MINOR)]
"""The lowest or highest signed balance an account may take."""
