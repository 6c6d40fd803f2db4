"""A leg of 0 is refused, naming the rule and the leg, not silently dropped (issue 17 item 9):
alone it used to end as a 404 'does not exist', and a batch counted it 'already booked'."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens


def _transaction(legs: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "reference": uuid.uuid4().hex,
        "description": "manual",
        "effective_at": datetime.now(UTC).isoformat(),
        "legs": [{"account_code": code, "amount_minor": amount} for code, amount in legs],
    }


@pytest.mark.parametrize(
    ("legs", "field"),
    [
        ([("cash", 0), ("sales", 0)], "body.legs[0].amount_minor"),
        ([("cash", 300), ("sales", -300), ("fees", 0)], "body.legs[2].amount_minor"),
    ],
    ids=["all-zero", "one-zero-beside-others"],
)
async def test_a_zero_leg_is_refused_naming_it(
    client: httpx.AsyncClient, tokens: Tokens, legs: list[tuple[str, int]], field: str
) -> None:
    response = await client.post("/ledger/transactions", json=_transaction(legs), headers=tokens.headers(Role.finance))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = [e for e in response.json()["errors"] if e["field"] == field]
    assert error["code"] == "ledger.leg-not-zero"


async def test_a_batch_with_a_zero_leg_books_nothing_and_says_which(client: httpx.AsyncClient, tokens: Tokens) -> None:
    good = _transaction([("cash", 100), ("sales", -100)])
    empty = _transaction([("cash", 0), ("sales", 0)])
    response = await client.post(
        "/ledger/transactions/batch", json={"transactions": [good, empty]}, headers=tokens.headers(Role.finance)
    )
    assert response.status_code == 422, response.text
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.transactions[1].legs[0].amount_minor", "body.transactions[1].legs[1].amount_minor"} <= fields
    # Nothing half-written: the good one of the refused batch was not booked either.
    again = await client.post("/ledger/transactions", json=good, headers=tokens.headers(Role.finance))
    assert again.status_code == 201, again.text


async def test_non_zero_legs_still_book(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = _transaction([("cash", 1), ("sales", -1)])
    response = await client.post("/ledger/transactions", json=body, headers=tokens.headers(Role.finance))
    assert response.status_code == 201, response.text
    assert sorted(p["amount_minor"] for p in response.json()["postings"]) == [-1, 1]
