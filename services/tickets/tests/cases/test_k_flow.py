"""§3.2 courier damage, loss or delay: K1 with evidence → K2 the logistics group (role warehouse)
assigns liability, a liable courier named with what it owes (CourierLiabilityAssigned) → C3 …"""

from __future__ import annotations

from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens

from .kit import open_case, outbox, post, upload


async def _at_k2(client: httpx.AsyncClient, tokens: Tokens) -> str:
    case = await open_case(client, tokens, "K")
    cid = case["id"]
    bare = await client.post(f"/cases/{cid}/investigation", json={}, headers=tokens.headers(Role.agent))
    assert bare.json()["rule"] == "K1.evidence-required"
    await upload(client, tokens.headers(Role.customer, subject="C-42"), cid)
    handed = await post(client, f"/cases/{cid}/investigation", tokens.headers(Role.agent))
    assert handed["allowed_actions"] == ["assign-liability"]
    return str(cid)


async def test_a_liable_courier_owes_the_cost(client: httpx.AsyncClient, tokens: Tokens, tickets_db: str) -> None:
    cid = await _at_k2(client, tokens)
    body = {"liability": "courier", "courier": "SF", "courier_owes_minor": 6450, "finding": "crushed in transit"}
    by_agent = await client.post(f"/cases/{cid}/liability", json=body, headers=tokens.headers(Role.agent))
    assert by_agent.status_code == 403
    assigned = await post(client, f"/cases/{cid}/liability", tokens.headers(Role.warehouse, subject="wu"), body)
    assert (assigned["state"], assigned["liability"], assigned["courier"], assigned["courier_owes_minor"]) == (
        "negotiating", "courier", "SF", 6450,
    )  # fmt: skip
    assert assigned["allowed_actions"] == ["choose-remedy", "close"]  # continues at C3
    [(name, payload)] = await outbox(tickets_db, cid)
    assert name == "CourierLiabilityAssigned"
    assert (payload["courier"], payload["amount_minor"], payload["currency"], payload["assigned_by"]) == (
        "SF", 6450, "CNY", "wu",
    )  # fmt: skip
    history = (await client.get(f"/cases/{cid}/history", headers=tokens.headers(Role.agent))).json()
    assert [h["step"] for h in history] == ["K1", "K1", "K2"]


async def test_other_liability_publishes_nothing(client: httpx.AsyncClient, tokens: Tokens, tickets_db: str) -> None:
    cid = await _at_k2(client, tokens)
    assigned = await post(client, f"/cases/{cid}/liability", tokens.headers(Role.warehouse),
                          {"liability": "warehouse", "courier": "SF", "finding": "packed badly"})  # fmt: skip
    assert (assigned["liability"], assigned["courier_owes_minor"]) == ("warehouse", None)
    assert await outbox(tickets_db, cid) == []


async def test_k2_refuses_an_unnamed_or_unpriced_courier(client: httpx.AsyncClient, tokens: Tokens) -> None:
    cid = await _at_k2(client, tokens)
    warehouse = tokens.headers(Role.warehouse)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"liability": "courier", "courier_owes_minor": 100, "finding": "x"}, "K2.courier-named", "body.courier"),
        ({"liability": "courier", "courier": "SF", "finding": "x"}, "K2.courier-owes", "body.courier_owes_minor"),
        (
            {"liability": "shop", "courier_owes_minor": 100, "finding": "x"},
            "K2.courier-owes",
            "body.courier_owes_minor",
        ),
    ]
    for body, rule, field in cases:
        refused = await client.post(f"/cases/{cid}/liability", json=body, headers=warehouse)
        assert refused.status_code == 422, refused.text
        assert (refused.json()["rule"], refused.json()["field"]) == (rule, field)
    for body in ({"liability": "courier", "courier": "SF", "courier_owes_minor": 0, "finding": "x"},
                 {"liability": "customer", "finding": "x"}):  # fmt: skip
        assert (await client.post(f"/cases/{cid}/liability", json=body, headers=warehouse)).status_code == 422
    case = (await client.get(f"/cases/{cid}", headers=tokens.headers(Role.agent))).json()
    assert (case["state"], case["liability"]) == ("investigating", None)  # nothing half-written
