"""M1: each matching rule, in order; ambiguity is never guessed; a match logs the parcel (M)
and starts T1A5."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from returns_service.parcels.matching import CANDIDATES

from .kit import approved_return, ingest, scan, tracking_number, unique_contact


async def _clock_steps(client: httpx.AsyncClient, tokens: Tokens, aggregate_id: str) -> set[str]:
    response = await client.get(
        "/sla/clocks", params={"aggregate_id": aggregate_id, "status": "open"}, headers=tokens.headers(Role.supervisor)
    )
    return {c["step"] for c in response.json()["items"]}


async def _scan_one(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, **label: Any) -> dict[str, Any]:
    body = await ingest(client, tokens, [scan(clock, label.pop("tracking", None) or tracking_number(), **label)])
    [parcel] = body["parcels"]
    return parcel  # type: ignore[no-any-return]


@pytest.mark.parametrize("rule", ["return_number", "return_tracking_number", "phone", "sender_name", "address"])
async def test_each_rule_matches_and_starts_receipt(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, rule: str
) -> None:
    contact = unique_contact()
    tn = tracking_number()
    ret = await approved_return(client, tokens, contact, tracking=tn if rule == "return_tracking_number" else None)
    label = {
        "return_number": {"return_number": ret["id"]},
        "return_tracking_number": {"tracking": tn},
        "phone": {"phone": "+86 " + contact["phone"][:3] + "-" + contact["phone"][3:]},
        "sender_name": {"sender_name": "  " + contact["name"].upper()},
        "address": {"address": contact["address"].replace(", ", " ")},
    }[rule]
    parcel = await _scan_one(client, tokens, clock, **label)
    assert (parcel["status"], parcel["matched_by"], parcel["return_id"]) == ("matched", rule, ret["id"])
    assert "T1A5" in await _clock_steps(client, tokens, ret["id"])
    history = (await client.get(f"/returns/{ret['id']}/history", headers=tokens.headers(Role.agent))).json()
    assert history[-1]["action"] == "log-arrival"
    assert history[-1]["actor"] == "test-warehouse"


async def test_rules_apply_in_order(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> None:
    contact = unique_contact()
    await approved_return(client, tokens, contact)
    by_number = await approved_return(client, tokens)
    parcel = await _scan_one(client, tokens, clock, return_number=by_number["id"], phone=contact["phone"])
    assert (parcel["matched_by"], parcel["return_id"]) == ("return_number", by_number["id"])


async def test_several_candidates_are_not_auto_matched(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    contact = unique_contact()
    await approved_return(client, tokens, contact)
    await approved_return(client, tokens, contact)  # the same customer returns twice
    parcel = await _scan_one(client, tokens, clock, phone=contact["phone"])
    assert (parcel["status"], parcel["return_id"]) == ("unmatched", None)
    full = (await client.get(f"/parcels/{parcel['parcel_id']}", headers=tokens.headers(Role.agent))).json()
    assert full["match_note"] == "ambiguous: 2 returns match by phone"
    assert await _clock_steps(client, tokens, parcel["parcel_id"]) == {"M4"}


async def test_only_approved_returns_without_a_parcel_are_candidates(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    contact = unique_contact()
    ret = await approved_return(client, tokens, contact)
    first = await _scan_one(client, tokens, clock, return_number=ret["id"])
    assert first["status"] == "matched"
    second = await _scan_one(client, tokens, clock, return_number=ret["id"], phone=contact["phone"])
    assert second["status"] == "unmatched"  # the return already has its parcel


async def test_two_parcels_of_one_batch_never_share_a_return(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    contact = unique_contact()
    await approved_return(client, tokens, contact)
    body = await ingest(
        client,
        tokens,
        [
            scan(clock, tracking_number(), phone=contact["phone"]),
            scan(clock, tracking_number(), phone=contact["phone"]),
        ],
    )
    assert sorted(p["status"] for p in body["parcels"]) == ["matched", "unmatched"]


async def test_a_later_scan_with_more_of_the_label_matches_an_unmatched_parcel(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    contact = unique_contact()
    ret = await approved_return(client, tokens, contact)
    tn = tracking_number()
    first = await _scan_one(client, tokens, clock, tracking=tn, sender_name="Smudged Label")
    assert first["status"] == "unmatched"
    assert await _clock_steps(client, tokens, str(first["parcel_id"])) == {"M4"}
    again = await _scan_one(client, tokens, clock, tracking=tn, kind="opened", sender_name="Smudged Label")
    assert again["status"] == "unmatched"  # nothing new on the label: still with customer service
    later = await _scan_one(client, tokens, clock, tracking=tn, kind="opened", phone=contact["phone"])
    assert later["status"] == "matched"
    assert later["return_id"] == ret["id"]
    assert await _clock_steps(client, tokens, str(first["parcel_id"])) == set()  # M2 stopped


async def test_a_label_with_a_masked_phone_still_matches(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    contact = unique_contact()
    ret = await approved_return(client, tokens, contact)
    phone = contact["phone"]
    masked = f"{phone[:3]}****{phone[-4:]}"  # as printed on most labels
    parcel = await _scan_one(client, tokens, clock, phone=masked)
    assert parcel["status"] == "matched"
    assert parcel["return_id"] == ret["id"]
    too_little = await _scan_one(client, tokens, clock, phone=f"*******{phone[-4:]}")
    assert too_little["status"] == "unmatched"


def test_phone_normalisation() -> None:
    from returns_service.parcels.matching import normalise_phone

    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    assert normalise_phone("138****8000") == "138____8000"
    assert normalise_phone("****8000") == ""


async def test_every_rule_of_the_candidate_query_can_use_an_index(app: FastAPI) -> None:
    """M1 looks labels up instead of normalising every open return's order on every batch
    (416 ms a batch with 10,000 returns awaiting a parcel, before returns_0009). With
    sequential scans priced out, the plan reads neither orders nor returns in full."""
    params = {
        "parcel_id": [uuid.uuid4()],
        "return_id": [uuid.uuid4()],
        "tracking": ["SF1234567890"],
        "phone": ["138____8000"],
        "phone_prefix": ["138"],
        "sender": ["lilei"],
        "address": ["room5nanjingroadshanghai"],
    }
    async with app.state.db.sessionmaker() as session, session.begin():
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        rows = await session.execute(text("EXPLAIN " + CANDIDATES.text), params)
        plan = "\n".join(row[0] for row in rows)
    assert "Seq Scan on orders" not in plan, plan
    assert "Seq Scan on returns" not in plan, plan
