"""Money and quantities are strict integers (issue 17 item 10): a string or a number with a
fraction part, even ``.0``, is refused and the schema says so."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from aftersales_chassis import Amount, BalanceLimit, Count, Quantity, SignedAmount
from aftersales_chassis.money import MAX_AMOUNT_MINOR, MAX_QUANTITY


class Body(BaseModel):
    amount: Amount = 0
    leg: SignedAmount = 0
    limit: BalanceLimit = 0
    quantity: Quantity = 1
    found: Count = 0


@pytest.mark.parametrize("field", ["amount", "leg", "limit", "quantity", "found"])
@pytest.mark.parametrize("raw", ['"12"', "12.0", "1.0", "true", "12.5"])
def test_anything_but_a_json_integer_is_refused(field: str, raw: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Body.model_validate_json(f'{{"{field}": {raw}}}')
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [((field,), "int_type")]


@pytest.mark.parametrize("field", ["amount", "leg", "limit", "quantity", "found"])
def test_a_json_integer_is_taken(field: str) -> None:
    assert getattr(Body.model_validate_json(f'{{"{field}": 12}}'), field) == 12


def test_the_bounds_hold_at_the_limit() -> None:
    assert Body(amount=MAX_AMOUNT_MINOR, quantity=MAX_QUANTITY, found=0).amount == MAX_AMOUNT_MINOR
    for wrong in ({"amount": MAX_AMOUNT_MINOR + 1}, {"quantity": 0}, {"quantity": MAX_QUANTITY + 1}, {"found": -1}):
        with pytest.raises(ValidationError):
            Body.model_validate(wrong)


def test_the_schema_says_strict() -> None:
    properties = Body.model_json_schema()["properties"]
    assert all(p["type"] == "integer" and p["x-strict-integer"] is True for p in properties.values())
    assert "12900.0 are refused" in properties["amount"]["description"]
