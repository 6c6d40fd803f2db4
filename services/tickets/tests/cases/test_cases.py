"""Cases through the API: one per order problem, of three kinds, each on its own table; listed,
paged and read with their history; the one 409 with allowed_actions; roles both ways; bad input."""

from __future__ import annotations

from datetime import timedelta

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens, assert_next_page_differs

from .kit import new_order, open_case, post, upload

UNKNOWN = "0b0e7c9e-8f6a-4bb0-9d4c-3e2c5a1f0c11"


async def test_each_kind_opens_at_its_own_step_with_its_clocks(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    for kind, step, actions in (
        ("C", "C1", ["close", "investigate"]),
        ("K", "K1", ["close", "investigate"]),
        ("P", "P1", ["close", "judge"]),
    ):
        case = await open_case(client, tokens, kind)
        assert (case["kind"], case["state"], case["allowed_actions"]) == (kind, "evidence", actions)
        history = (await client.get(f"/cases/{case['id']}/history", headers=tokens.headers(Role.agent))).json()
        assert [(h["action"], h["step"], h["to_state"], h["actor"]) for h in history] == [
            ("open", step, "evidence", "ann")
        ]
        clocks = await client.get(
            "/sla/clocks", params={"aggregate_id": case["id"]}, headers=tokens.headers(Role.supervisor)
        )
        due = {c["step"]: c for c in clocks.json()["items"]}
        assert set(due) == {step, "§3"}
        assert due[step]["due_at"].startswith((clock.now() + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M"))
        assert (due["§3"]["duration"], due["§3"]["kind"]) == ("30 wd", "working")


async def test_one_open_case_per_order_problem(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order = new_order()
    first = await open_case(client, tokens, "C", order_id=order)
    again = await client.post(
        "/cases",
        json={"kind": "C", "order_id": order, "customer_id": "C-42", "summary": "again"},
        headers=tokens.headers(Role.agent),
    )
    assert again.status_code == 409, again.text
    assert again.json()["rule"] == "§3.one-case-per-order-problem"
    await open_case(client, tokens, "K", order_id=order)  # another problem of the order: its own case
    await post(client, f"/cases/{first['id']}/close", tokens.headers(Role.agent), {"reason": "sorted by phone"})
    await open_case(client, tokens, "C", order_id=order)  # the first one ended: a new one may open


async def test_a_step_from_the_wrong_state_is_the_one_409(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await open_case(client, tokens, "C")
    cid = case["id"]
    finding = {"shipped_right_proven": True, "finding": "video"}
    early = await client.post(f"/cases/{cid}/warehouse-finding", json=finding, headers=tokens.headers(Role.warehouse))
    assert early.status_code == 409
    assert early.json()["type"].endswith("/invalid-transition")
    assert (early.json()["current_state"], early.json()["allowed_actions"]) == ("evidence", ["close", "investigate"])
    wrong_kind = await client.post(
        f"/cases/{cid}/judgement", json={"quality_problem": False, "note": "x"}, headers=tokens.headers(Role.agent)
    )
    assert wrong_kind.status_code == 409  # P2 is not a step of a C case
    history = (await client.get(f"/cases/{cid}/history", headers=tokens.headers(Role.agent))).json()
    assert len(history) == 1  # nothing written by the refusals


async def test_roles_are_enforced_both_ways(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"kind": "C", "order_id": new_order(), "customer_id": "C-1", "summary": "x"}
    assert (await client.post("/cases", json=body)).status_code == 401
    for role in (Role.customer, Role.merchant, Role.finance, Role.warehouse, Role.qc):
        assert (await client.post("/cases", json=body, headers=tokens.headers(role))).status_code == 403
    assert (await client.post("/cases", json=body, headers=tokens.headers(Role.supervisor))).status_code == 201
    assert (await client.get("/cases", headers=tokens.headers(Role.customer))).status_code == 403
    assert (await client.get("/cases", headers=tokens.headers(Role.merchant))).status_code == 403
    for role in (Role.finance, Role.qc, Role.warehouse, Role.agent):
        assert (await client.get("/cases", headers=tokens.headers(role))).status_code == 200

    case = await open_case(client, tokens, "C")
    await upload(client, tokens.headers(Role.agent), case["id"])
    await post(client, f"/cases/{case['id']}/investigation", tokens.headers(Role.agent))
    finding = {"shipped_right_proven": False, "finding": "no video"}
    by_agent = await client.post(
        f"/cases/{case['id']}/warehouse-finding", json=finding, headers=tokens.headers(Role.agent)
    )
    assert by_agent.status_code == 403  # C2 is the warehouse's
    done = await post(client, f"/cases/{case['id']}/warehouse-finding", tokens.headers(Role.warehouse), finding)
    assert (done["state"], done["liability"]) == ("negotiating", "warehouse")


async def test_bad_input_is_a_problem_naming_the_field(client: httpx.AsyncClient, tokens: Tokens) -> None:
    agent = tokens.headers(Role.agent)
    for body, field in (
        ({"kind": "X", "order_id": "O-1", "customer_id": "C-1", "summary": "x"}, "body.kind"),
        ({"kind": "C", "order_id": "", "customer_id": "C-1", "summary": "x"}, "body.order_id"),
        ({"kind": "C", "order_id": "O-1", "summary": "x"}, "body.customer_id"),
        ({"kind": "C", "order_id": "O-1", "customer_id": "C-1", "summary": "x", "currency": "yuan"}, "body.currency"),
    ):
        refused = await client.post("/cases", json=body, headers=agent)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in refused.json()["errors"]]
    assert (await client.get(f"/cases/{UNKNOWN}", headers=agent)).status_code == 404
    assert (await client.get(f"/cases/{UNKNOWN}/history", headers=agent)).status_code == 404
    assert (await client.post(f"/cases/{UNKNOWN}/close", json={"reason": "x"}, headers=agent)).status_code == 404


async def test_the_list_pages_and_filters(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order = new_order()
    for kind in ("C", "K", "P"):
        await open_case(client, tokens, kind, order_id=order)
    await assert_next_page_differs(client, "/cases", tokens.headers(Role.agent))
    listed = await client.get("/cases", params={"order_id": order}, headers=tokens.headers(Role.agent))
    assert sorted(item["kind"] for item in listed.json()["items"]) == ["C", "K", "P"]
    only_k = await client.get("/cases", params={"order_id": order, "kind": "K"}, headers=tokens.headers(Role.agent))
    assert [item["kind"] for item in only_k.json()["items"]] == ["K"]
    evidence = await client.get("/cases", params={"state": "evidence"}, headers=tokens.headers(Role.agent))
    assert all(item["state"] == "evidence" for item in evidence.json()["items"])
