"""§3.3 product quality: P1 with evidence → P2 the agent's judgement. A quality problem (P2B):
P2B1 the OA complaint form approved by another supervisor, the shop advancing the return freight
(QualityReturnFreightAdvanced) → P2B2 QC's inspection → P2B3 the result to the customer → C3 …
Not one (P2A): P2A1 explained → closed, or P2A2 the customer still returns (the return flow)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import open_case, outbox, post, upload

QUALITY = {"quality_problem": True, "note": "cracked glaze", "oa_form_no": "OA-2026-7", "freight_minor": 1200}


async def _judged(client: httpx.AsyncClient, tokens: Tokens, judgement: dict[str, object], by: str = "sam") -> str:
    case = await open_case(client, tokens, "P")
    cid = case["id"]
    bare = await client.post(f"/cases/{cid}/judgement", json=judgement, headers=tokens.headers(Role.agent))
    assert (bare.status_code, bare.json()["rule"]) == (422, "P1.evidence-required")
    await upload(client, tokens.headers(Role.customer, subject="C-42"), cid)
    await post(client, f"/cases/{cid}/judgement", tokens.headers(Role.supervisor, subject=by), judgement)
    return str(cid)


async def test_a_quality_problem_goes_through_oa_form_qc_and_back_to_c3(
    client: httpx.AsyncClient, tokens: Tokens, tickets_db: str
) -> None:
    cid = await _judged(client, tokens, QUALITY, by="sam")
    case = (await client.get(f"/cases/{cid}", headers=tokens.headers(Role.agent))).json()
    assert (case["state"], case["oa_form_no"], case["freight_minor"], case["oa_requested_by"]) == (
        "oa_pending", "OA-2026-7", 1200, "sam",
    )  # fmt: skip
    sam = tokens.headers(Role.supervisor, subject="sam")
    own = await client.post(f"/cases/{cid}/oa-form/approve", json={}, headers=sam)
    assert (own.status_code, own.json()["rule"]) == (403, "P2B1.approver-not-requester")
    by_agent = await client.post(f"/cases/{cid}/oa-form/approve", json={}, headers=tokens.headers(Role.agent))
    assert by_agent.status_code == 403
    approved = await post(client, f"/cases/{cid}/oa-form/approve", tokens.headers(Role.supervisor, subject="sue"))
    assert (approved["state"], approved["oa_approved_by"]) == ("inspecting", "sue")
    [(name, payload)] = await outbox(tickets_db, cid)
    assert name == "QualityReturnFreightAdvanced"
    assert (payload["amount_minor"], payload["currency"], payload["approved_by"]) == (1200, "CNY", "sue")

    result = {"defective": True, "result": "firing crack"}
    for role in (Role.agent, Role.warehouse, Role.supervisor):
        refused = await client.post(f"/cases/{cid}/inspection", json=result, headers=tokens.headers(role))
        assert refused.status_code == 403, role
    inspected = await post(client, f"/cases/{cid}/inspection", tokens.headers(Role.qc, subject="qin"), result)
    assert (inspected["state"], inspected["qc_result"]) == ("inspected", "defective: firing crack")
    told = await post(client, f"/cases/{cid}/customer-informed", tokens.headers(Role.agent), {"note": "called"})
    assert (told["state"], told["allowed_actions"]) == ("negotiating", ["choose-remedy", "close"])
    history = (await client.get(f"/cases/{cid}/history", headers=tokens.headers(Role.qc))).json()
    assert [(h["step"], h["actor"]) for h in history] == [
        ("P1", "ann"), ("P2B", "sam"), ("P2B1", "sue"), ("P2B2", "qin"), ("P2B3", "test-agent"),
    ]  # fmt: skip


async def test_no_freight_advanced_books_nothing(client: httpx.AsyncClient, tokens: Tokens, tickets_db: str) -> None:
    cid = await _judged(client, tokens, {**QUALITY, "freight_minor": 0})
    await post(client, f"/cases/{cid}/oa-form/approve", tokens.headers(Role.supervisor, subject="sue"))
    assert await outbox(tickets_db, cid) == []


async def test_the_judgement_and_its_oa_form_go_together(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await open_case(client, tokens, "P")
    await upload(client, tokens.headers(Role.agent), case["id"])
    for body in (
        {"quality_problem": True, "note": "x"},
        {"quality_problem": True, "note": "x", "oa_form_no": "OA-1"},
        {"quality_problem": False, "note": "x", "freight_minor": 100},
        {"quality_problem": True, "note": "x", "oa_form_no": "OA-1", "freight_minor": -1},
    ):
        refused = await client.post(f"/cases/{case['id']}/judgement", json=body, headers=tokens.headers(Role.agent))
        assert refused.status_code == 422, body
    current = (await client.get(f"/cases/{case['id']}", headers=tokens.headers(Role.agent))).json()
    assert current["state"] == "evidence"


async def test_not_a_quality_problem_is_explained_then_returned_or_closed(
    client: httpx.AsyncClient, tokens: Tokens, tickets_db: str
) -> None:
    agent = tokens.headers(Role.agent, subject="ann")
    for ending in ("return", "close"):
        cid = await _judged(client, tokens, {"quality_problem": False, "note": "tea stains are normal"})
        explaining = (await client.get(f"/cases/{cid}", headers=agent)).json()
        assert (explaining["state"], explaining["quality_problem"]) == ("explaining", False)
        explained = await post(client, f"/cases/{cid}/explanation", agent, {"reason": "explained the patina"})
        assert explained["allowed_actions"] == ["request-return", "close"]
        if ending == "return":
            ended = await post(client, f"/cases/{cid}/return-request", agent, {"reason": "still wants to return"})
            assert ended["state"] == "return_requested"
            [(name, payload)] = await outbox(tickets_db, cid)
            assert (name, payload["step"], payload["case_kind"]) == ("AfterSaleReturnRequested", "P2A2", "P")
        else:
            ended = await post(client, f"/cases/{cid}/close", agent, {"reason": "accepted the explanation"})
            assert ended["state"] == "closed"
            assert await outbox(tickets_db, cid) == []
        history = (await client.get(f"/cases/{cid}/history", headers=agent)).json()
        assert [h["step"] for h in history] == ["P1", "P2A", "P2A1", "P2A2" if ending == "return" else "P2A1"]


async def test_p2b_clocks_count_working_days(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> None:
    """P2B1's 3 wd from Friday 11:00 (Shanghai) fall due on Wednesday 11:00, the weekend not counted."""
    clock.set(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))  # Friday 11:00 in Shanghai
    cid = await _judged(client, tokens, QUALITY)
    clocks = await client.get("/sla/clocks", params={"aggregate_id": cid}, headers=tokens.headers(Role.supervisor))
    due = {c["step"]: c["due_at"] for c in clocks.json()["items"] if c["state"] == "running"}
    assert datetime.fromisoformat(due["P2B1"]) == datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
