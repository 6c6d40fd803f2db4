"""The customer sees their own case: where it is, what comes next and by when; never another's."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import open_case, post, upload


async def test_the_customer_follows_their_case(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> None:
    customer = f"C-{clock.now().timestamp()}-view"
    me = tokens.headers(Role.customer, subject=customer)
    case = await open_case(client, tokens, "C", customer_id=customer)
    cid = case["id"]
    status = (await client.get(f"/cases/{cid}/status", headers=me)).json()
    assert (status["state"], status["next_step"], status["next_step_by"], status["ended"]) == (
        "evidence", "C1", "agent", False,
    )  # fmt: skip
    assert datetime.fromisoformat(status["next_step_due_at"]) == clock.now() + timedelta(hours=24)
    cycle_due = datetime.fromisoformat(status["cycle_due_at"])
    assert cycle_due > clock.now() + timedelta(days=40)  # 30 working days: six weeks and more

    await upload(client, me, cid)
    clock.advance(timedelta(hours=2))
    await post(client, f"/cases/{cid}/investigation", tokens.headers(Role.agent))
    status = (await client.get(f"/cases/{cid}/status", headers=me)).json()
    assert (status["next_step"], status["next_step_by"]) == ("C2", "warehouse")
    assert datetime.fromisoformat(status["next_step_due_at"]) == clock.now() + timedelta(hours=24)
    assert datetime.fromisoformat(status["cycle_due_at"]) == cycle_due  # the cycle keeps running

    mine = (await client.get("/cases/mine", headers=me)).json()
    assert [(c["id"], c["next_step"]) for c in mine["items"]] == [(cid, "C2")]
    # the full staff record is not the customer's
    assert (await client.get(f"/cases/{cid}", headers=me)).status_code == 403


async def test_an_ended_case_has_no_next_step(client: httpx.AsyncClient, tokens: Tokens) -> None:
    me = tokens.headers(Role.customer, subject="C-ended")
    case = await open_case(client, tokens, "K", customer_id="C-ended")
    await post(client, f"/cases/{case['id']}/close", tokens.headers(Role.agent), {"reason": "parcel turned up"})
    status = (await client.get(f"/cases/{case['id']}/status", headers=me)).json()
    assert (status["state"], status["ended"], status["next_step"], status["cycle_due_at"]) == (
        "closed", True, None, None,
    )  # fmt: skip


async def test_never_another_customers_case(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await open_case(client, tokens, "P", customer_id="C-owner")
    other = tokens.headers(Role.customer, subject="C-other")
    refused = await client.get(f"/cases/{case['id']}/status", headers=other)
    assert refused.status_code == 404
    assert refused.json()["type"].endswith("/not-found")
    assert (await client.get("/cases/mine", headers=other)).json()["items"] == []
    assert (await client.get("/cases/mine", headers=tokens.headers(Role.agent))).status_code == 403
    staff = await client.get(f"/cases/{case['id']}/status", headers=tokens.headers(Role.supervisor))
    assert staff.json()["next_step"] == "P1"
