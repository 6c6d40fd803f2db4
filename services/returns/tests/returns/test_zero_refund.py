"""A refund of 0 is refused naming the rule (issue 17 item 9): it used to move the return to
`refunded`, book nothing, and then refuse the real refund with a 409."""

from __future__ import annotations

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens

from ..kit import received_return


async def test_a_refund_of_nothing_is_refused_and_the_real_one_still_goes_through(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    ret = await received_return(client, tokens)
    path, supervisor = f"/returns/{ret['id']}/refund", tokens.headers(Role.supervisor)
    refused = await client.post(path, json={"amount_minor": 0, "method": "online"}, headers=supervisor)
    assert refused.status_code == 422, refused.text
    [error] = [e for e in refused.json()["errors"] if e["field"] == "body.amount_minor"]
    assert error["code"] == "T2A.refund-not-zero"
    current = await client.get(f"/returns/{ret['id']}", headers=tokens.headers(Role.agent))
    assert current.json()["state"] == "received"
    refunded = await client.post(path, json={"amount_minor": 100, "method": "online"}, headers=supervisor)
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["refund_amount_minor"] == 100


async def test_a_refund_without_parcel_of_nothing_is_refused(client: httpx.AsyncClient, tokens: Tokens) -> None:
    ret = await received_return(client, tokens)
    response = await client.post(
        f"/returns/{ret['id']}/refund-without-parcel",
        json={"kind": "goodwill", "amount_minor": 0, "note": "sorry"},
        headers=tokens.headers(Role.supervisor),
    )
    assert response.status_code == 422
    assert any(e["code"] == "T2A.refund-not-zero" for e in response.json()["errors"])
