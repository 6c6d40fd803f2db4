"""M2–M6: the customer-service queue with its 24 h clock, identification, the unclaimed
register (searchable, claimable later, with its disposition), and roles both ways."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import approved_return, get_return, ingest, scan, tracking_number, unique_contact


async def _unmatched(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, **label: Any) -> dict[str, Any]:
    body = await ingest(client, tokens, [scan(clock, tracking_number(), **label)])
    [parcel] = body["parcels"]
    assert parcel["status"] == "unmatched"
    return parcel  # type: ignore[no-any-return]


async def _m2(client: httpx.AsyncClient, tokens: Tokens, parcel_id: str) -> dict[str, Any]:
    response = await client.get("/sla/clocks", params={"aggregate_id": parcel_id}, headers=tokens.headers(Role.agent))
    [clock] = [c for c in response.json()["items"] if c["step"] == "M4"]
    return clock  # type: ignore[no-any-return]


async def test_unmatched_parcels_queue_for_customer_service_with_24h(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    parcel = await _unmatched(client, tokens, clock, sender_name="Nobody Known")
    m2 = await _m2(client, tokens, parcel["parcel_id"])
    assert m2["duration"] == "24 h"
    ids: list[str] = []
    cursor = None
    while True:
        params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/parcels/unmatched", params=params, headers=tokens.headers(Role.agent))).json()
        ids += [p["id"] for p in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert parcel["parcel_id"] in ids
    for role in (Role.warehouse, Role.customer):
        assert (await client.get("/parcels/unmatched", headers=tokens.headers(role))).status_code == 403


async def test_an_agent_identifies_the_return(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> None:
    ret = await approved_return(client, tokens)
    parcel = await _unmatched(client, tokens, clock, sender_name="Illegible")
    path = f"/parcels/{parcel['parcel_id']}/identify"
    body = {"return_id": ret["id"], "note": "called the customer"}
    assert (await client.post(path, json=body, headers=tokens.headers(Role.warehouse))).status_code == 403
    assert (await client.post(path, json=body, headers=tokens.headers(Role.customer))).status_code == 403
    identified = await client.post(path, json=body, headers=tokens.headers(Role.agent))
    assert identified.status_code == 200, identified.text
    assert (identified.json()["status"], identified.json()["matched_by"]) == ("matched", "agent")
    assert (await _m2(client, tokens, parcel["parcel_id"]))["status"] == "met"
    again = await client.post(path, json=body, headers=tokens.headers(Role.agent))
    assert again.status_code == 409
    assert again.json()["current_state"] == "matched"


async def test_identify_refuses_a_return_not_awaiting_a_parcel(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    ret = await approved_return(client, tokens)
    await ingest(client, tokens, [scan(clock, tracking_number(), return_number=ret["id"])])  # taken
    parcel = await _unmatched(client, tokens, clock, sender_name="Someone Else")
    refused = await client.post(
        f"/parcels/{parcel['parcel_id']}/identify", json={"return_id": ret["id"]}, headers=tokens.headers(Role.agent)
    )
    assert refused.status_code == 422
    assert refused.json()["rule"] == "M3.one-parcel-per-return"


async def test_unknown_goes_to_the_register_then_is_claimed(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    contact = unique_contact()
    parcel = await _unmatched(client, tokens, clock, phone=contact["phone"][:3] + "0000" + contact["phone"][7:])
    pid = parcel["parcel_id"]
    recorded = await client.post(
        f"/parcels/{pid}/unclaimed", json={"note": "no such customer"}, headers=tokens.headers(Role.agent)
    )
    assert recorded.status_code == 200, recorded.text
    assert (recorded.json()["status"], recorded.json()["disposition"]) == ("unclaimed", "held")
    assert (await _m2(client, tokens, pid))["status"] == "met"

    async def search(**params: str) -> list[str]:
        response = await client.get("/parcels/unclaimed", params=params, headers=tokens.headers(Role.warehouse))
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert pid in await search(tracking_number=parcel["tracking_number"])
    assert pid in await search(phone=contact["phone"][-4:], limit="200")
    since = (clock.now() - timedelta(minutes=1)).isoformat()
    assert pid in await search(arrived_from=since, arrived_to=(clock.now() + timedelta(minutes=1)).isoformat())
    assert pid not in await search(arrived_to=since)
    assert (await client.get("/parcels/unclaimed", headers=tokens.headers(Role.customer))).status_code == 403

    ret = await approved_return(client, tokens, contact)
    claimed = await client.post(
        f"/parcels/{pid}/claim", json={"return_id": ret["id"]}, headers=tokens.headers(Role.supervisor)
    )
    assert claimed.status_code == 200, claimed.text
    assert (claimed.json()["status"], claimed.json()["return_id"]) == ("claimed", ret["id"])
    history = (await client.get(f"/returns/{ret['id']}/history", headers=tokens.headers(Role.agent))).json()
    assert history[-1]["action"] == "log-arrival"
    assert pid not in await search(tracking_number=parcel["tracking_number"])
    trail = (await client.get(f"/parcels/{pid}/history", headers=tokens.headers(Role.warehouse))).json()
    assert [(t["action"], t["step"], t["from_state"], t["to_state"]) for t in trail] == [
        ("unclaimed", "M4", "unmatched", "unclaimed"),
        ("claim", "M5", "unclaimed", "claimed"),
    ]
    assert trail[0]["reason"] == "no such customer"


async def test_a_disposed_parcel_can_no_longer_be_claimed(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    parcel = await _unmatched(client, tokens, clock, sender_name="Gone Away")
    pid = parcel["parcel_id"]
    agent = tokens.headers(Role.agent)
    await client.post(f"/parcels/{pid}/unclaimed", json={"note": "unknown"}, headers=agent)
    disposed = await client.post(
        f"/parcels/{pid}/disposition",
        json={"disposition": "returned_to_sender"},
        headers=tokens.headers(Role.warehouse),
    )
    assert disposed.json()["disposition"] == "returned_to_sender"
    ret = await approved_return(client, tokens)
    refused = await client.post(f"/parcels/{pid}/claim", json={"return_id": ret["id"]}, headers=agent)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "M6.parcel-gone"
    assert (await get_return(client, tokens, ret["id"]))["state"] == "approved"


@pytest.mark.parametrize("param", ["arrived_from", "arrived_to"])
@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
async def test_the_register_filters_take_instants_in_the_supported_range(
    client: httpx.AsyncClient, tokens: Tokens, param: str, at: str
) -> None:
    """Both once reached the driver and came back as a 409 'conflicts with stored data'."""
    response = await client.get("/parcels/unclaimed", params={param: at}, headers=tokens.headers(Role.warehouse))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == f"query.{param}"
