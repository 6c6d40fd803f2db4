"""One complaint, not six (§4): the same customer about the same order arriving on several
channels is merged into the earliest, whose clocks are kept; the merge is audited on both
sides, closes with the complaint it went into, and is reversible."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import clocks_of, events_of, feed, hand_over, message, paid_order, unique


async def _two_channels(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> tuple[dict[str, Any], dict[str, Any]]:
    order_id, customer = unique("TB"), unique("C")
    await feed(app, *paid_order(order_id, customer=customer, merchant="M-1", paid=3000, at=clock.now()))
    first = await hand_over(client, tokens, message("wechat", order_id=order_id))  # the customer comes from the order
    clock.advance(timedelta(minutes=40))
    second = await hand_over(client, tokens, message("weibo", order_id=order_id, sender={"customer_id": customer},
                                                     received_at="2026-11-24T10:40:00+08:00"))  # fmt: skip
    return first, second


async def test_the_same_customer_and_order_on_another_channel_is_merged_into_the_earliest(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    first, second = await _two_channels(app, client, tokens, clock)
    assert (second["state"], second["merged_into"]) == ("merged", first["id"])
    assert await clocks_of(client, tokens, second["id"]) == {}  # the earliest complaint's clocks are the ones kept
    kept = await clocks_of(client, tokens, first["id"])
    assert kept["§4.2"]["started_at"] == first["created_at"]
    agent = tokens.headers(Role.agent, subject="ann")
    history = (await client.get(f"/complaints/{first['id']}/history", headers=agent)).json()
    assert [(h["action"], h["reason"]) for h in history][-1] == ("absorb", f"merged {second['id']} (weibo)")

    closed = await client.post(f"/complaints/{first['id']}/close", json={"resolution": "refunded"}, headers=agent)
    assert closed.status_code == 200, closed.text
    member = (await client.get(f"/complaints/{second['id']}", headers=agent)).json()
    assert (member["state"], member["resolution"]) == ("closed", f"closed with {first['id']}: refunded")
    # Both were announced open, so both are announced closed: finance's hold ends with the last.
    for complaint in (first, second):
        assert len(await events_of(app, complaint["id"], "ComplaintOpened")) == 1
        assert len(await events_of(app, complaint["id"], "ComplaintClosed")) == 1


async def test_a_merge_is_reversible_and_merged_again_by_hand_only_into_the_earliest(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    first, second = await _two_channels(app, client, tokens, clock)
    agent = tokens.headers(Role.agent, subject="ann")
    clock.advance(timedelta(minutes=5))
    out = await client.post(f"/complaints/{second['id']}/unmerge", json={"reason": "another parcel"}, headers=agent)
    assert out.status_code == 200, out.text
    assert (out.json()["state"], out.json()["merged_into"]) == ("open", None)
    assert set(await clocks_of(client, tokens, second["id"])) == {"§4.2", "§4.3", "§4.4"}  # weibo: the merchant's too
    history = (await client.get(f"/complaints/{first['id']}/history", headers=agent)).json()
    assert [(h["action"], h["actor"]) for h in history][-1] == ("release", "ann")
    again = await client.post(f"/complaints/{second['id']}/unmerge", json={"reason": "x"}, headers=agent)
    assert (again.status_code, again.json()["current_state"]) == (409, "open")

    backwards = await client.post(f"/complaints/{first['id']}/merge", json={"into": second["id"], "reason": "dup"},
                                  headers=agent)  # fmt: skip
    assert (backwards.status_code, backwards.json()["rule"]) == (422, "§4.merge-into-earliest")
    other = await hand_over(client, tokens, message("email", order_id=unique("TB"), sender={"customer_id": "C-x"}))
    unrelated = await client.post(f"/complaints/{other['id']}/merge", json={"into": first["id"], "reason": "dup"},
                                  headers=agent)  # fmt: skip
    assert unrelated.status_code == 422, unrelated.text
    assert (unrelated.status_code, unrelated.json()["rule"]) == (422, "§4.merge-same-customer-order")
    itself = await client.post(f"/complaints/{first['id']}/merge", json={"into": first["id"], "reason": "dup"},
                               headers=agent)  # fmt: skip
    assert (itself.status_code, itself.json()["rule"]) == (422, "§4.merge-self")

    merged = await client.post(f"/complaints/{second['id']}/merge", json={"into": first["id"], "reason": "same parcel"},
                               headers=agent)  # fmt: skip
    assert (merged.status_code, merged.json()["state"], merged.json()["merged_into"]) == (200, "merged", first["id"])
    stopped = await clocks_of(client, tokens, second["id"])
    assert {clock["state"] for clock in stopped.values()} == {"stopped"}
    assert (await client.post(f"/complaints/{second['id']}/unmerge", json={"reason": "x"},
                              headers=tokens.headers(Role.customer))).status_code == 403  # fmt: skip
