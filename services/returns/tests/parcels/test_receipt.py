"""M7–M12 → T1A5: intact goods with the tracking number entered confirm receipt; anything
else goes to an agent without a receipt."""

from __future__ import annotations

from datetime import timedelta

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import approved_return, get_return, ingest, scan, tracking_number


async def test_intact_goods_confirm_receipt_and_the_flow_goes_on_at_t2(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    tn = tracking_number()
    ret = await approved_return(client, tokens, tracking=tn)
    body = await ingest(
        client,
        tokens,
        [scan(clock, tn, "inspected", intact=True), scan(clock, tn, "arrived", ago=timedelta(minutes=20))],
    )
    [parcel] = body["parcels"]
    assert parcel["matched_by"] == "return_tracking_number"
    received = await get_return(client, tokens, ret["id"])
    assert received["state"] == "received"
    assert all(line["received_quantity"] == line["quantity"] for line in received["lines"])
    full = (await client.get(f"/parcels/{parcel['parcel_id']}", headers=tokens.headers(Role.agent))).json()
    assert full["receipt_confirmed_at"] is not None
    assert full["stage"] == "inspected"


async def test_partial_lines_from_the_inspection(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> None:
    tn = tracking_number()
    ret = await approved_return(client, tokens, tracking=tn)
    await ingest(client, tokens, [scan(clock, tn, "arrived", ago=timedelta(minutes=5))])
    await ingest(client, tokens, [scan(clock, tn, "inspected", intact=True, lines={"SKU-TEA": 1})])
    received = await get_return(client, tokens, ret["id"])
    assert received["state"] == "received"
    assert {ln["sku"]: ln["received_quantity"] for ln in received["lines"]} == {"SKU-TEA": 1, "SKU-CUP": 0}


async def test_damaged_goods_are_flagged_not_received(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    tn = tracking_number()
    ret = await approved_return(client, tokens, tracking=tn)
    body = await ingest(client, tokens, [scan(clock, tn, "inspected", intact=False, note="box crushed")])
    pid = body["parcels"][0]["parcel_id"]
    assert (await get_return(client, tokens, ret["id"]))["state"] == "approved"
    flagged = await client.get(
        "/parcels", params={"attention": "true", "tracking_number": tn}, headers=tokens.headers(Role.agent)
    )
    assert [(p["id"], p["attention"]) for p in flagged.json()["items"]] == [(pid, "not-intact")]


async def test_no_receipt_until_the_tracking_number_is_entered(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    ret = await approved_return(client, tokens)  # T1A4 not done
    body = await ingest(
        client, tokens, [scan(clock, tracking_number(), "inspected", intact=True, return_number=ret["id"])]
    )
    [parcel] = body["parcels"]
    assert parcel["status"] == "matched"
    assert (await get_return(client, tokens, ret["id"]))["state"] == "approved"
    full = (await client.get(f"/parcels/{parcel['parcel_id']}", headers=tokens.headers(Role.agent))).json()
    assert full["attention"] == "tracking-number-missing"
    # T1A4 done now: the parcel was inspected intact, so the receipt (T1A5) follows at once.
    entered = await client.post(
        f"/returns/{ret['id']}/tracking",
        json={"courier": "SF", "tracking_number": "SF55501234"},
        headers=tokens.headers(Role.agent),
    )
    assert entered.json()["state"] == "received"
    full = (await client.get(f"/parcels/{parcel['parcel_id']}", headers=tokens.headers(Role.agent))).json()
    assert full["attention"] is None


async def test_lines_the_return_does_not_have_are_flagged_not_a_failure(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    tn = tracking_number()
    ret = await approved_return(client, tokens, tracking=tn)
    body = await ingest(client, tokens, [scan(clock, tn, "inspected", intact=True, lines={"SKU-OTHER": 1})])
    full = (await client.get(f"/parcels/{body['parcels'][0]['parcel_id']}", headers=tokens.headers(Role.agent))).json()
    assert full["attention"] == "receipt-refused"
    assert (await get_return(client, tokens, ret["id"]))["state"] == "approved"
